/**
 * The write that ends a download (session and model, one transaction) must
 * not be lost to a passing problem: a database busy past its timeout (a long
 * `hfsched` command holding it), a full disk that a moment later is not. A
 * lost end write leaves the model `downloading` with no one running it, so it
 * is tried again a few times, with growing pauses. A refusal that another try
 * cannot change (the session was already ended, the model removed) is not
 * retried. If every try fails, the daemon's repair (src/daemon/recovery.ts)
 * ends the session once no task runs it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConstraintError, NotFoundError, StateTransitionError, ValidationError } from '../errors.js';

export const FINAL_WRITE_DELAYS_MS = [250, 1000, 2000, 4000, 8000];

function isFinal(error: unknown): boolean {
  return (
    error instanceof StateTransitionError ||
    error instanceof NotFoundError ||
    error instanceof ValidationError ||
    error instanceof ConstraintError
  );
}

/** Runs `write`, again after each delay while it fails for a reason that may pass. */
export async function retryFinalWrite<T>(
  what: string,
  write: () => T,
  logger?: Logger,
  delaysMs: readonly number[] = FINAL_WRITE_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return write();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (isFinal(error) || delay === undefined) throw error;
      logger?.warn({ err: error, attempt: attempt + 1, retryInMs: delay }, `could not record ${what}; trying again`);
      await sleep(delay);
    }
  }
}
