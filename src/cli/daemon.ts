/**
 * `hfsched daemon`: runs the scheduler in the foreground until SIGTERM or
 * SIGINT, logging JSON lines on stdout (HFSCHED_LOG_PRETTY=true for people).
 * systemd and containers run exactly this.
 */
import type { Command } from 'commander';
import { createLogger } from '../config/logger.js';
import type { CliContext } from './context.js';

export function registerDaemonCommand(program: Command, context: CliContext): void {
  program
    .command('daemon')
    .description('run the scheduler in the foreground: downloads at the enabled schedule, until SIGTERM or Ctrl-C')
    .addHelpText(
      'after',
      '\nStop it with SIGTERM or Ctrl-C: running downloads are paused and resume at the next run.' +
        '\nSee it with: hfsched status',
    )
    .action(async () => {
      const boot = context.bootstrap();
      // The log.level setting applies once the database is open (Daemon.start).
      const logger = createLogger({ level: boot.logLevel ?? 'info', pretty: boot.logPretty });
      // Loaded here, not at the top: the other commands start faster without
      // the scheduler, the queue, the metrics and the Hub client.
      const { Daemon } = await import('../daemon/daemon.js');
      const { stopOnSignals } = await import('../daemon/signals.js');
      const daemon = await Daemon.start({ databasePath: context.databasePath(), env: context.env, logger });
      const removeHandlers = stopOnSignals(daemon, logger);
      const exitCode = await daemon.done;
      removeHandlers();
      logger.flush();
      // Exit now rather than when the last handle closes: an idle keep-alive
      // socket to the Hub must not delay a stop that systemd is timing.
      process.exit(exitCode);
    });
}
