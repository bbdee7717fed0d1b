/**
 * Errors the Hub client raises. The contract's classes (src/errors.ts)
 * cover the Hub's answers: NotFoundError (repository, revision, file),
 * ConstraintError (gated, disabled, forbidden, no free space), ValidationError
 * (bad repo id, unsafe file name, rejected token). A transfer that keeps failing
 * after every retry (network, server errors, bytes that never verify) has no
 * contract class: it is a DownloadError (src/errors.ts), a sibling of those under HfschedError.
 */
import { ConstraintError, DownloadError, HfschedError, type HubAnswerFacts } from '../errors.js';

// Hub modules import it from here, next to the hub's own transfer errors.
export { DownloadError };

/**
 * A file that failed verification MAX_MISMATCHES_IN_A_ROW times in a row: the
 * server (a mirror, a proxy) keeps sending wrong bytes. Trying again at the
 * next firing would fetch the same wrong bytes again, so the model waits for
 * a person (`hfsched model retry`).
 */
export class RepeatedCorruptionError extends DownloadError {}
export const MAX_MISMATCHES_IN_A_ROW = 3;

/**
 * A download whose selected files alone take more than `cache.max_bytes`:
 * it could never fit, whatever else were pruned, so it does not wait for the
 * budget (disk-gate.ts). Another try fails the same until the budget or the
 * selection changes, so the model waits for a person, as for corrupt bytes.
 */
export class CacheBudgetError extends ConstraintError {}

/**
 * Something in the cache that its layout never puts there, where hfsched was
 * about to write, create or delete: a link planted to a file or folder
 * outside, a FIFO, a hard link (cache/safe-paths.ts). Another try would meet
 * the same thing, so it waits for a person, like the other ConstraintErrors.
 */
export class UnsafeCacheError extends ConstraintError {}

export interface TransferErrorOptions {
  /** Worth another try after a pause. */
  retryable: boolean;
  /** Server-asked pause before the next try (Retry-After), in ms. */
  retryAfterMs?: number | null;
  cause?: unknown;
  /** The Hub answer this failure came from. */
  hubAnswer?: HubAnswerFacts;
}

/**
 * Failures inside one transfer, which the retry logic classifies; they never
 * leave the hub (a DownloadError or a contract error does).
 */
export class TransferError extends Error {
  /** The Hub answer this failure came from, if any; the final DownloadError keeps it. */
  readonly hubAnswer: HubAnswerFacts | null;

  /** Worth another try after a pause. */
  readonly retryable: boolean;
  /** Server-asked pause before the next try (Retry-After), in ms. */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: TransferErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.hubAnswer = options.hubAnswer ?? null;
  }
}

/**
 * The proxy a request went through failed it (refused the connection, asked
 * for credentials): the message names the proxy, and the advice is to check
 * it, not hub.endpoint (asUserFacingError).
 */
export class ProxyError extends TransferError {}

/** No byte arrived for stallTimeoutMs: the connection is dropped and the transfer resumed. */
export class StallTimeoutError extends TransferError {
  constructor(timeoutMs: number) {
    super(`no data for ${Math.round(timeoutMs / 1000)} s (download.stall_timeout_seconds)`, { retryable: true });
  }
}

/** A signed CDN URL answered 403: it expired; ask the Hub's resolve URL for a fresh one. */
export class ExpiredUrlError extends TransferError {
  constructor(host: string) {
    super(`the signed download URL on ${host} expired`, { retryable: true });
  }
}

/** The server answered a Range request with the whole file (or the wrong range). */
export class RangesUnsupportedError extends TransferError {
  constructor(host: string) {
    super(`${host} did not honour a Range request`, { retryable: false });
  }
}

/** The bytes on disk cannot be right (wrong size, wrong hash, 416): start the file again from zero. */
export class BlobMismatchError extends TransferError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** Failures of the local disk rather than of the network. */
const DISK_ERROR_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EACCES',
  'EPERM',
  'EROFS',
  'EISDIR',
  'ENOTDIR',
  'EMFILE',
  'ENFILE',
  'EIO',
]);

/**
 * A failure that is not already one of ours, said in one line with what was
 * being done and what to check: the disk for file-system errors, the
 * network and endpoint otherwise.
 */
export function asUserFacingError(error: unknown, doing: string, retries = 0): Error {
  if (error instanceof HfschedError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const after = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const advice =
    error instanceof ProxyError
      ? 'check the proxy (hub.proxy, or HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY; docs/proxies.md), then retry'
      : typeof code === 'string' && DISK_ERROR_CODES.has(code)
        ? 'check the cache folder (hub.cache_dir / HF_HUB_CACHE): its free space and permissions'
        : 'check the network and hub.endpoint / HF_ENDPOINT, then retry';
  const hubAnswer = error instanceof TransferError ? error.hubAnswer : null;
  return new DownloadError(
    `${doing} failed${after}: ${reason}; ${advice}`,
    hubAnswer === null ? { cause: error } : { cause: error, hubAnswer },
  );
}
