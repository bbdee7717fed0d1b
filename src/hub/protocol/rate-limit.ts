/**
 * Keeps this process under the Hub's rate limits. The Hub counts requests per
 * 5-minute window and per bucket ("api" for the JSON API, "resolvers" for
 * `/resolve/` URLs; https://huggingface.co/docs/hub/rate-limits) and says what
 * is left in every answer (rate-limit-headers.ts). One limiter, the
 * HubRuntime's, serves the whole process, so that many models downloading at
 * once share one budget:
 *
 * - while plenty is left, requests go at once;
 * - when little is left (PACE_FRACTION of the quota, at least PACE_FLOOR),
 *   requests are spread evenly over what remains of the window, so a large
 *   model set slows down instead of running into 429;
 * - when nothing is left, or after a 429, every request of that bucket waits
 *   for the reset (huggingface_hub 1.2+ waits likewise on 429).
 *
 * Only requests to the endpoint's own origin are counted: a CDN that serves
 * the bytes after a redirect has no such budget.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRateLimits } from './rate-limit-headers.js';
import { parseRetryAfter } from './retry-policy.js';

/** Pace when at most this share of the quota is left... */
const PACE_FRACTION = 0.1;
/** ...or at most this many requests when the quota is unknown or small. */
const PACE_FLOOR = 10;
/**
 * The longest any request waits, whatever a header says: a reset further
 * away is taken as a bad header (the Hub's window is 5 minutes). It also
 * keeps every sleep far below Node's timer limit (2^31-1 ms, beyond which a
 * timer fires at once and a wait would spin). docs/proxies.md says 10 minutes.
 */
const MAX_WAIT_MS = 10 * 60_000;
/** Waited after a 429 that says nothing of when to come back. */
const DEFAULT_429_WAIT_MS = 5_000;

export type RequestBucket = 'api' | 'resolvers';

interface Budget {
  /** The server's name for it, when it gives one. */
  policy: string | null;
  remaining: number;
  quota: number | null;
  /** Epoch ms at which the window resets. */
  resetAt: number;
  /** Epoch ms before which no request goes (after a 429). */
  blockedUntil: number;
  /** Epoch ms of the next paced request. */
  nextSlotAt: number;
}

export interface RateLimitView {
  origin: string;
  bucket: RequestBucket;
  policy: string | null;
  remaining: number;
  quota: number | null;
  resetAt: Date;
}

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const SYSTEM_CLOCK: RateLimiterClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
};

/** Which of the Hub's buckets a URL counts against. */
export function bucketOf(url: URL): RequestBucket {
  return url.pathname.includes('/resolve/') ? 'resolvers' : 'api';
}

export class HubRateLimiter {
  private readonly budgets = new Map<string, Budget>();
  private waitCount = 0;
  private waitedMs = 0;
  private tooManyRequests = 0;

  constructor(private readonly clock: RateLimiterClock = SYSTEM_CLOCK) {}

  /** Resolves when a request to `url` may go; waits as the budget requires. */
  async waitForTurn(url: URL, signal?: AbortSignal): Promise<void> {
    const key = `${url.origin} ${bucketOf(url)}`;
    for (;;) {
      const delay = Math.min(MAX_WAIT_MS, this.takeTurn(key));
      if (delay <= 0) return;
      this.waitCount += 1;
      this.waitedMs += delay;
      await this.clock.sleep(delay, signal);
    }
  }

  /** Learns from an answer of the endpoint: what is left, and a 429. */
  observe(url: URL, status: number, headers: IncomingHttpHeaders): void {
    const now = this.clock.now();
    const key = `${url.origin} ${bucketOf(url)}`;
    const readings = readRateLimits(headers, now);
    // With several policies in one answer, the tightest one decides.
    const tightest = readings.reduce<(typeof readings)[number] | null>(
      (worst, reading) => (worst === null || reading.remaining < worst.remaining ? reading : worst),
      null,
    );
    const known = this.budgets.get(key);
    if (tightest !== null) {
      const resetAt = now + Math.min(MAX_WAIT_MS, tightest.resetMs);
      this.budgets.set(key, {
        policy: tightest.policy,
        remaining: tightest.remaining,
        quota: tightest.quota,
        resetAt,
        blockedUntil: known?.blockedUntil ?? 0,
        nextSlotAt: known?.nextSlotAt ?? 0,
      });
    }
    if (status !== 429) return;
    this.tooManyRequests += 1;
    const retryAfter = parseRetryAfter(headers['retry-after'], now);
    const waitMs = tightest !== null ? Math.min(MAX_WAIT_MS, tightest.resetMs) : (retryAfter ?? DEFAULT_429_WAIT_MS);
    const budget = this.budgets.get(key) ?? {
      policy: null,
      remaining: 0,
      quota: null,
      resetAt: now + waitMs,
      blockedUntil: 0,
      nextSlotAt: 0,
    };
    budget.remaining = 0;
    budget.blockedUntil = Math.max(budget.blockedUntil, now + Math.max(waitMs, retryAfter ?? 0));
    budget.resetAt = Math.max(budget.resetAt, budget.blockedUntil);
    this.budgets.set(key, budget);
  }

  /** When requests wait for a reset (nothing left, or a 429), the latest such time; else null. */
  limitedUntil(): Date | null {
    const now = this.clock.now();
    let latest = 0;
    for (const budget of this.budgets.values()) {
      if (budget.resetAt <= now) continue;
      if (budget.blockedUntil > now) latest = Math.max(latest, budget.blockedUntil);
      if (budget.remaining <= 0) latest = Math.max(latest, budget.resetAt);
    }
    return latest > now ? new Date(latest) : null;
  }

  /** The budgets seen in the current windows. */
  budgetsView(): RateLimitView[] {
    const now = this.clock.now();
    return [...this.budgets]
      .filter(([, budget]) => budget.resetAt > now)
      .map(([key, budget]) => {
        const [origin = '', bucket = 'api'] = key.split(' ');
        return {
          origin,
          bucket: bucket as RequestBucket,
          policy: budget.policy,
          remaining: budget.remaining,
          quota: budget.quota,
          resetAt: new Date(budget.resetAt),
        };
      });
  }

  /** Counts since start: paced or held requests, the time they waited, and 429 answers. */
  counters(): { waits: number; waitedSeconds: number; tooManyRequests: number } {
    return { waits: this.waitCount, waitedSeconds: this.waitedMs / 1000, tooManyRequests: this.tooManyRequests };
  }

  /** 0 when the request may go now (and counts it); else how long to wait before asking again. */
  private takeTurn(key: string): number {
    const budget = this.budgets.get(key);
    const now = this.clock.now();
    if (budget === undefined) return 0;
    if (budget.resetAt <= now) {
      // A new window: the budget is full again until an answer says otherwise.
      this.budgets.delete(key);
      return 0;
    }
    if (budget.blockedUntil > now) return budget.blockedUntil - now;
    if (budget.remaining <= 0) return budget.resetAt - now;
    const paceBelow = Math.max(PACE_FLOOR, (budget.quota ?? 0) * PACE_FRACTION);
    if (budget.remaining > paceBelow) {
      budget.remaining -= 1;
      return 0;
    }
    if (budget.nextSlotAt > now) return budget.nextSlotAt - now;
    // Spread what is left evenly over the rest of the window, never past its reset.
    budget.nextSlotAt = Math.min(budget.resetAt, now + (budget.resetAt - now) / budget.remaining);
    budget.remaining -= 1;
    return 0;
  }
}
