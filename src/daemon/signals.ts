/**
 * Signals of a foreground daemon (systemd, docker stop, Ctrl-C):
 *   first SIGTERM/SIGINT  graceful stop: no more firings, downloads aborted
 *                         and recorded (sessions cancelled, models paused),
 *                         database closed, exit 0, well inside systemd's
 *                         default 90 s and docker's 10 s stop timeouts
 *   second signal         exit 1 at once (SQLite is crash-safe; the next
 *                         start repairs the interrupted sessions)
 */
import type { Logger } from 'pino';

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Past this, a graceful stop has failed: exit anyway, before docker's 10 s SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 9500;

export interface Stoppable {
  stop(reason: string): Promise<void>;
}

/** Installs the handlers; returns a function that removes them. */
export function stopOnSignals(
  daemon: Stoppable,
  logger: Logger,
  exit: (code: number) => void = process.exit,
): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) {
      logger.warn({ signal }, 'second signal: exiting at once');
      exit(1);
      return;
    }
    logger.info({ signal }, 'signal received: stopping (send it again to exit at once)');
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'graceful stop took too long: exiting');
      exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    daemon.stop(`signal ${signal}`).catch((error: unknown) => {
      logger.error({ err: error }, 'graceful stop failed');
      exit(1);
    });
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
}
