/**
 * A user's pause, resume and retry of a model, written once for both places
 * that apply them: the daemon (which may be running the model's download and
 * has a queue) and the CLI when no daemon runs. The state rules (what may be
 * paused, resumed, retried) are the store's (src/store/model-holds.ts); this
 * adds what only a running daemon can do, and the messages users read.
 */
import { STOP_REASON_USER_PAUSE } from '../schedule/stop-reasons.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';

export const MODEL_COMMANDS = ['pause', 'resume', 'retry'] as const;
export type ModelCommand = (typeof MODEL_COMMANDS)[number];

/** What the process applying a command runs: the daemon's queue, or nothing (the CLI). */
export interface RunningDownloads {
  /** Whether this process runs the model's download now. */
  isRunning(modelId: number): boolean;
  /** Stops the model's download; the worker records the pause with `reason`. */
  stop(modelId: number, reason: string): void;
  /** Drops the model from a queue it waits in, if any. */
  dropWaiting(modelId: number): void;
  /** Lets a model that became pending start when it can; returns the end of the user's message. */
  admit(model: Model): string;
}

/** No daemon: nothing runs here, nothing waits, a pending model starts at the next run. */
export const NO_RUNNING_DOWNLOADS: RunningDownloads = {
  isRunning: () => false,
  stop: () => undefined,
  dropWaiting: () => undefined,
  admit: () => '; it starts at the next run',
};

/** Applies `command` to `model` and returns the message for the user; throws the store's refusal. */
export function applyModelCommand(
  store: Store,
  command: ModelCommand,
  model: Model,
  downloads: RunningDownloads,
): string {
  switch (command) {
    case 'pause':
      if (downloads.isRunning(model.id)) {
        // Held first, so that the scheduler does not pick the model again while its download stops.
        store.models.hold(model.id, STOP_REASON_USER_PAUSE);
        downloads.stop(model.id, STOP_REASON_USER_PAUSE);
        return `stopping the download of ${model.name}; it will be paused (partial files kept)`;
      }
      downloads.dropWaiting(model.id);
      store.models.pause(model.id, STOP_REASON_USER_PAUSE);
      return `model ${model.name} paused; resume it with: hfsched model resume ${model.name}`;
    case 'resume':
      store.models.resume(model.id);
      return `model ${model.name} is pending again${downloads.admit(model)}`;
    case 'retry':
      // A completed model the CLI just re-checked (model-control.ts) is pending already: it joins an open window.
      if (model.status === 'pending' && model.statusReason !== null) {
        return `model ${model.name} is pending (${model.statusReason})${downloads.admit(model)}`;
      }
      store.models.retry(model.id);
      return `model ${model.name} is pending again, retry count reset${downloads.admit(model)}`;
  }
}
