/**
 * How the CLI talks to a running daemon: through the database. It writes a
 * command row and waits for the daemon (which
 * polls about once a second) to write its answer. Whether one runs is
 * readLiveness (liveness.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandAnswer, DaemonCommandName, Store } from '../store/index.js';
import { ConstraintError, OperationalError } from '../errors.js';

/** Long enough for a daemon busy writing progress; short enough for a person waiting. */
export const COMMAND_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

/** The daemon's message when it did it; ConstraintError with its reason when it refused. */
function messageOf(answer: CommandAnswer): string {
  if (answer.status === 'ok') return answer.message;
  throw new ConstraintError(answer.message);
}

/**
 * Sends `command` to the live daemon and returns its message.
 * ConstraintError: the daemon refused it (its reason). OperationalError: no
 * answer in time (the command is then withdrawn, so a later daemon does not
 * act on a stale request).
 */
export async function sendToDaemon(
  store: Store,
  command: DaemonCommandName,
  modelId: number | null,
  timeoutMs: number = COMMAND_TIMEOUT_MS,
): Promise<string> {
  const sent = store.daemon.sendCommand(command, modelId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const answer = store.daemon.getCommand(sent.id)?.answer ?? null;
    if (answer !== null) return messageOf(answer);
  }
  if (!store.daemon.finishCommand(sent.id, { status: 'error', message: 'the CLI stopped waiting for an answer' })) {
    // Answered in the very last moment.
    const answer = store.daemon.getCommand(sent.id)?.answer;
    if (answer) return messageOf(answer);
  }
  throw new OperationalError(
    `the daemon did not answer "${command}" within ${Math.round(timeoutMs / 1000)} s; check its logs and hfsched status`,
  );
}
