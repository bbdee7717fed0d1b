/**
 * How the CLI talks to a running daemon: through the database. It checks the
 * daemon's liveness, writes a command row, and waits for the daemon (which
 * polls about once a second) to write the result.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConstraintError, OperationalError, type DaemonCommandName, type Store } from '../store/index.js';
import { daemonLiveness, type Liveness } from './liveness.js';

/** Long enough for a daemon busy writing progress; short enough for a person waiting. */
export const COMMAND_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

export function currentDaemon(store: Store): Liveness {
  const record = store.readDaemonStatus();
  return daemonLiveness(record === null ? null : { ...record, heartbeatAt: new Date(record.heartbeatAt) });
}

/**
 * Sends `command` to the live daemon and returns its answer (without the
 * `ok: ` prefix). ConstraintError: the daemon refused it (its reason).
 * OperationalError: no answer in time (the command is then withdrawn, so a
 * later daemon does not act on a stale request).
 */
export async function sendToDaemon(
  store: Store,
  command: DaemonCommandName,
  modelId: number | null,
  timeoutMs: number = COMMAND_TIMEOUT_MS,
): Promise<string> {
  const sent = store.sendDaemonCommand(command, modelId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const result = store.getDaemonCommand(sent.id)?.result ?? null;
    if (result === null) continue;
    if (result.startsWith('ok: ')) return result.slice('ok: '.length);
    throw new ConstraintError(result.replace(/^error: /, ''));
  }
  if (!store.finishDaemonCommand(sent.id, 'error: the CLI stopped waiting for an answer')) {
    // Answered in the very last moment.
    const result = store.getDaemonCommand(sent.id)?.result ?? '';
    if (result.startsWith('ok: ')) return result.slice('ok: '.length);
    throw new ConstraintError(result.replace(/^error: /, ''));
  }
  throw new OperationalError(
    `the daemon did not answer "${command}" within ${Math.round(timeoutMs / 1000)} s; check its logs and hfsched status`,
  );
}
