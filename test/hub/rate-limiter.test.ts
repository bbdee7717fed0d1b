import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubRateLimiter, type RateLimiterClock } from '../../src/hub/protocol/rate-limit.js';

/** A clock whose sleeps move time forward at once, recording each wait. */
function steppingClock(): RateLimiterClock & { waits: number[]; time: number } {
  const clock = {
    time: Date.parse('2026-01-01T00:00:00Z'),
    waits: [] as number[],
    now: () => clock.time,
    sleep: (ms: number) => {
      clock.waits.push(Math.round(ms));
      clock.time += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

const RESOLVE = new URL('https://hub.example/org/model/resolve/main/config.json');
const API = new URL('https://hub.example/api/models/org/model/revision/main');

describe('pacing requests under the Hub rate limit', () => {
  test('requests go at once while plenty of the budget is left', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 200, {
      ratelimit: '"resolvers";r=2000;t=200',
      'ratelimit-policy': '"resolvers";q=3000;w=300',
    });
    for (let i = 0; i < 50; i += 1) await limiter.waitForTurn(RESOLVE);
    assert.deepEqual(clock.waits, []);
    assert.equal(limiter.limitedUntil(), null);
  });

  test('when little is left, the rest is spread evenly over the window', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 200, { ratelimit: '"resolvers";r=5;t=10' });
    for (let i = 0; i < 5; i += 1) await limiter.waitForTurn(RESOLVE);
    // 5 left for 10 s: one every 2 s, then 2.5 s, ... as the window shortens.
    assert.deepEqual(clock.waits, [2000, 2000, 2000, 2000]);
  });

  test('when nothing is left, requests wait for the reset, then go', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 200, { ratelimit: '"resolvers";r=0;t=30' });
    assert.equal(limiter.limitedUntil()?.getTime(), clock.time + 30_000);
    await limiter.waitForTurn(RESOLVE);
    assert.deepEqual(clock.waits, [30_000]);
    assert.equal(limiter.limitedUntil(), null);
  });

  test('a 429 holds every request of its bucket until the reset, and not the other bucket', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 429, { ratelimit: '"resolvers";r=0;t=42' });
    await limiter.waitForTurn(API);
    assert.deepEqual(clock.waits, []);
    await limiter.waitForTurn(RESOLVE);
    assert.deepEqual(clock.waits, [42_000]);
    assert.equal(limiter.counters().tooManyRequests, 1);
  });

  test('a 429 with only Retry-After holds for that long', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 429, { 'retry-after': '7' });
    await limiter.waitForTurn(RESOLVE);
    assert.deepEqual(clock.waits, [7000]);
  });

  test('another origin has a budget of its own', async () => {
    const clock = steppingClock();
    const limiter = new HubRateLimiter(clock);
    limiter.observe(RESOLVE, 200, { ratelimit: '"resolvers";r=0;t=30' });
    await limiter.waitForTurn(new URL('https://mirror.example/org/model/resolve/main/config.json'));
    assert.deepEqual(clock.waits, []);
  });

  test('a wait ends early when the download is paused', async () => {
    const limiter = new HubRateLimiter();
    limiter.observe(RESOLVE, 429, { ratelimit: '"resolvers";r=0;t=60' });
    const controller = new AbortController();
    const waiting = limiter.waitForTurn(RESOLVE, controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
