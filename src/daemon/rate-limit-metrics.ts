/**
 * The Hub rate limit on /metrics, read from the daemon's limiter (its HubRuntime's) when
 * scraped: when requests wait until, what is left per bucket, and how often
 * and how long they waited. An alert on `hfsched_hub_too_many_requests_total`
 * rising says the budget is shared with something hfsched does not see
 * (other clients behind the same address).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HubRateLimiter } from '../hub/index.js';

export function registerRateLimitMetrics(registry: Registry, limiter: HubRateLimiter): void {
  new Gauge({
    name: 'hfsched_hub_rate_limited_until_timestamp_seconds',
    help: 'Unix time until which Hub requests wait for a rate-limit reset; 0 when they do not wait.',
    registers: [registry],
    collect() {
      const until = limiter.limitedUntil();
      this.set(until === null ? 0 : until.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'hfsched_hub_rate_limit_remaining',
    help: 'Requests left in the current rate-limit window, as the Hub last said, by bucket (api, resolvers).',
    labelNames: ['bucket'],
    registers: [registry],
    collect() {
      this.reset();
      for (const budget of limiter.budgetsView()) this.labels(budget.bucket).set(budget.remaining);
    },
  });
  const counters = [
    ['hfsched_hub_rate_limit_waits_total', 'Hub requests that were paced or held for a rate-limit reset.', 'waits'],
    [
      'hfsched_hub_rate_limit_wait_seconds_total',
      'Time Hub requests spent waiting for the rate limit.',
      'waitedSeconds',
    ],
    ['hfsched_hub_too_many_requests_total', 'Answers 429 (too many requests) from the Hub.', 'tooManyRequests'],
  ] as const;
  for (const [name, help, field] of counters) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The limiter keeps the running total; the counter shows it as it is.
        this.reset();
        this.inc(limiter.counters()[field]);
      },
    });
  }
}
