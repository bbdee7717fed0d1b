/**
 * `hfsched model pause|resume|retry <model>`. With a running daemon the
 * request goes to it (it alone can stop a download it runs, or drop a model
 * from its queue); without one, the change is made in the database directly.
 *
 *   pause   stop the model's download (partial files kept) or keep it from
 *           starting; a paused model waits for `resume`
 *   resume  paused -> pending (joins the queue if a window is open)
 *   retry   failed -> pending, its retry count starting again at 0
 */
import type { Command } from 'commander';
import { STOP_REASON_USER_PAUSE } from '../schedule/stop-reasons.js';
import { currentDaemon, sendToDaemon } from '../control/daemon-client.js';
import { StateTransitionError, type Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';

type ControlCommand = 'pause' | 'resume' | 'retry';

/** The change made when no daemon runs. */
function applyDirectly(store: Store, command: ControlCommand, model: Model): string {
  switch (command) {
    case 'pause':
      if (model.status === 'downloading') {
        throw new StateTransitionError(
          `model "${model.name}" is downloading but no daemon is running to stop it; if hfsched pull is downloading it, stop that with Ctrl-C`,
        );
      }
      store.pauseModel(model.id, STOP_REASON_USER_PAUSE);
      return `model ${model.name} paused; resume it with: hfsched model resume ${model.name}`;
    case 'resume':
      store.resumeModel(model.id);
      return `model ${model.name} is pending again; it starts at the next run`;
    case 'retry':
      store.retryModel(model.id);
      return `model ${model.name} is pending again, retry count reset; it starts at the next run`;
  }
}

function registerControl(model: Command, context: CliContext, command: ControlCommand, description: string): void {
  model
    .command(command)
    .description(description)
    .argument('<model>', 'repo id (org/name) or id from hfsched model list')
    .action(async (reference: string) => {
      const answer = await context.withStore(async (store) => {
        const found = findModel(store, reference);
        if (currentDaemon(store).alive) return sendToDaemon(store, command, found.id);
        return applyDirectly(store, command, found);
      });
      context.output.text(answer.charAt(0).toUpperCase() + answer.slice(1));
    });
}

/** Adds `pause`, `resume` and `retry` to the `model` command. */
export function registerModelControlCommands(model: Command, context: CliContext): void {
  registerControl(model, context, 'pause', 'pause a model: stop its download (partial files kept) until resumed');
  registerControl(model, context, 'resume', 'resume a paused model: it becomes pending (and joins an open window)');
  registerControl(model, context, 'retry', 'retry a failed model: it becomes pending with its retry count reset');
}
