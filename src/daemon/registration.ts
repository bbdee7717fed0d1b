/** Registering this process as the database's only daemon, and leaving. */
import { hostname } from 'node:os';
import { daemonLiveness } from '../control/liveness.js';
import type { Store } from '../store/index.js';
import { ConstraintError } from '../errors.js';

/** Registers this process; ConstraintError when another daemon is alive on the database. */
export function registerDaemon(store: Store, databasePath: string): void {
  const blocking = store.daemon.claim(
    { pid: process.pid, hostname: hostname(), startedAt: new Date() },
    (current) => daemonLiveness(current).alive,
  );
  if (blocking !== null) {
    throw new ConstraintError(
      `another daemon (pid ${blocking.pid} on ${blocking.hostname}) is running on ${databasePath}; stop it first, or check it with: hfsched status`,
    );
  }
}
