/**
 * Commands the CLI leaves in `daemon_commands` (run-now, model pause / resume
 * / retry). The control loop calls `handleDaemonCommands` about once a
 * second; each command gets its result (`ok: ...` or `error: ...`) written
 * back, which the waiting CLI prints.
 */
import type { Logger } from 'pino';
import { HfschedError, type DaemonCommand, type Store } from '../store/index.js';
import type { Model } from '../store/types.js';

/** What the commands act on: the daemon. Each returns the text of its `ok:` result or throws. */
export interface CommandTarget {
  runNow(): string;
  pause(model: Model): string;
  resume(model: Model): string;
  retry(model: Model): string;
}

function execute(store: Store, command: DaemonCommand, target: CommandTarget): string {
  if (command.command === 'run-now') return target.runNow();
  const model = command.modelId === null ? null : store.getModel(command.modelId);
  if (model === null) throw new HfschedError(`model ${command.modelId ?? '?'} no longer exists`);
  switch (command.command) {
    case 'pause':
      return target.pause(model);
    case 'resume':
      return target.resume(model);
    case 'retry':
      return target.retry(model);
  }
}

export function handleDaemonCommands(store: Store, target: CommandTarget, logger: Logger): void {
  for (const command of store.unhandledDaemonCommands()) {
    let result: string;
    try {
      result = `ok: ${execute(store, command, target)}`;
    } catch (error) {
      // Only our own errors are worth showing a user as they are.
      const message = error instanceof HfschedError ? error.message : `unexpected ${String(error)}`;
      result = `error: ${message}`;
    }
    store.finishDaemonCommand(command.id, result);
    logger.info({ command: command.command, modelId: command.modelId ?? undefined, result }, 'command handled');
  }
}
