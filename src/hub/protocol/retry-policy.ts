/**
 * When to try a request again, and how long to wait first: exponential
 * backoff with jitter (AWS "Exponential Backoff And Jitter"), bounded by
 * `download.max_retries`, and the server's Retry-After when it gives one
 * (RFC 9110 section 10.2.3), as huggingface_hub's http_backoff does for 429
 * and 5xx. A transfer that made progress since the last failure starts its
 * count again: a flaky link that keeps delivering is not a failing one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TransferError } from '../errors.js';

/** Longest pause between two tries, and longest Retry-After honoured. */
const MAX_DELAY_MS = 60_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Socket-level failures worth another try (DNS "not found" is not: the endpoint is wrong). */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT',
  'HPE_INVALID_CHUNK_SIZE',
  // undici's names for the same failures (http-client.ts sends through undici).
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof TransferError) return error.retryable;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  return error instanceof Error && error.message === 'socket hang up';
}

/** Retry-After in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  let ms: number;
  if (/^\d+$/.test(value.trim())) ms = Number(value.trim()) * 1000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return null;
    ms = date - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** The pause before try number `retry` (1-based): base * 2^(retry-1), between half and all of it. */
export function backoffDelayMs(retry: number, baseDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** The retries left for one transfer; shared by the connections of one file. */
export class RetryBudget {
  private used = 0;

  constructor(
    readonly maxRetries: number,
    private readonly baseDelayMs: number,
  ) {}

  get retriesUsed(): number {
    return this.used;
  }

  /** Called when bytes arrived: the next failure counts from zero again. */
  madeProgress(): void {
    this.used = 0;
  }

  /**
   * After a failure: rethrows it when it is not retryable or the retries are
   * used up; otherwise waits (backoff or Retry-After, whichever is longer).
   */
  async pauseBeforeRetry(
    error: unknown,
    signal?: AbortSignal,
    onPause?: (retry: number, delayMs: number) => void,
  ): Promise<void> {
    if (!isRetryable(error) || this.used >= this.maxRetries) throw error;
    this.used += 1;
    const serverAsked = error instanceof TransferError ? error.retryAfterMs : null;
    const delay = Math.max(backoffDelayMs(this.used, this.baseDelayMs), serverAsked ?? 0);
    onPause?.(this.used, delay);
    await sleep(delay, undefined, signal ? { signal } : undefined);
  }
}
