/**
 * Commands the CLI leaves in `daemon_commands` (run-now, model pause / resume
 * / retry). The control loop calls `handleDaemonCommands` about once a
 * second; each command gets its answer (status `ok` or `error`, and a
 * message) written back, which the waiting CLI prints.
 */
import { applyModelCommand, type RunningDownloads } from '../control/model-commands.js';
import type { CommandAnswer, DaemonCommand, Store } from '../store/index.js';
import { HfschedError } from '../errors.js';
import type { DaemonEvents } from './events.js';

/** What the commands act on: the daemon. */
export interface CommandTarget {
  /** Starts a batch now; returns the message for the user. */
  runNow(): string;
  /** The daemon's downloads, for a model's pause, resume and retry. */
  readonly downloads: RunningDownloads;
}

function execute(store: Store, command: DaemonCommand, target: CommandTarget): string {
  if (command.command === 'run-now') return target.runNow();
  const model = command.modelId === null ? null : store.models.get(command.modelId);
  if (model === null) throw new HfschedError(`model ${command.modelId ?? '?'} no longer exists`);
  return applyModelCommand(store, command.command, model, target.downloads);
}

function answerTo(store: Store, command: DaemonCommand, target: CommandTarget): CommandAnswer {
  try {
    return { status: 'ok', message: execute(store, command, target) };
  } catch (error) {
    // Only our own errors are worth showing a user as they are.
    const message = error instanceof HfschedError ? error.message : `unexpected ${String(error)}`;
    return { status: 'error', message };
  }
}

export function handleDaemonCommands(store: Store, target: CommandTarget, events: DaemonEvents): void {
  for (const command of store.daemon.unhandledCommands()) {
    const answer = answerTo(store, command, target);
    store.daemon.finishCommand(command.id, answer);
    events.emit('command:handled', { command: command.command, modelId: command.modelId, answer });
  }
}
