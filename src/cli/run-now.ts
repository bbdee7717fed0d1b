/**
 * `hfsched run-now`: asks the running daemon to start the enabled schedule's
 * batch now (the eligible models are queued, with the schedule's concurrency
 * and window), instead of waiting for the next firing.
 */
import type { Command } from 'commander';
import { sendToDaemon } from '../control/daemon-client.js';
import { readLiveness } from '../control/liveness.js';
import { ConstraintError } from '../errors.js';
import type { CliContext } from './context.js';

export function registerRunNowCommand(program: Command, context: CliContext): void {
  program
    .command('run-now')
    .description("start the enabled schedule's batch now in the running daemon")
    .option('--json', 'print the daemon\'s answer as JSON: {"daemon": "..."}')
    .action(async (options: { json?: boolean }) => {
      const answer = await context.withStore(async (store) => {
        const daemon = readLiveness(store).liveness;
        if (!daemon.alive) {
          throw new ConstraintError(
            `daemon not running (${daemon.reason}); start it with hfsched daemon, or download one model now with hfsched pull <model>`,
          );
        }
        return sendToDaemon(store, 'run-now', null);
      });
      if (options.json) return context.output.json({ daemon: answer });
      context.output.done(`Daemon: ${answer}`);
    });
}
