import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitResetMs, readRateLimits } from '../../src/hub/protocol/rate-limit-headers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('reading rate-limit headers', () => {
  test('the IETF structured field the Hub sends gives remaining, reset and the quota of its policy', () => {
    assert.deepEqual(
      readRateLimits(
        {
          ratelimit: '"resolvers";r=2999;t=120',
          'ratelimit-policy': '"fixed window";"resolvers";q=3000;w=300',
        },
        NOW,
      ),
      [{ policy: 'resolvers', remaining: 2999, resetMs: 120_000, quota: 3000 }],
    );
  });

  test('a RateLimit list with several policies gives one reading each', () => {
    const readings = readRateLimits({ ratelimit: '"default";r=50;t=30, "burst";r=2;t=1' }, NOW);
    assert.deepEqual(
      readings.map((reading) => [reading.policy, reading.remaining, reading.resetMs]),
      [
        ['default', 50, 30_000],
        ['burst', 2, 1000],
      ],
    );
  });

  test("the earlier drafts' RateLimit-Limit, -Remaining and -Reset are read as delta seconds", () => {
    assert.deepEqual(
      readRateLimits({ 'ratelimit-limit': '100', 'ratelimit-remaining': '7', 'ratelimit-reset': '30' }, NOW),
      [{ policy: null, remaining: 7, resetMs: 30_000, quota: 100 }],
    );
    assert.deepEqual(readRateLimits({ ratelimit: 'limit=100, remaining=3, reset=9' }, NOW), [
      { policy: null, remaining: 3, resetMs: 9000, quota: 100 },
    ]);
  });

  test('X-RateLimit-Reset is taken as a Unix time when it is one, else as delta seconds', () => {
    const epoch = String(NOW / 1000 + 45);
    assert.deepEqual(
      readRateLimits({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch }, NOW),
      [{ policy: null, remaining: 0, resetMs: 45_000, quota: 60 }],
    );
    assert.equal(readRateLimits({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '12' }, NOW)[0]?.resetMs, 12_000);
  });

  test('answers without rate-limit headers, or with unreadable ones, give nothing', () => {
    assert.deepEqual(readRateLimits({ 'content-type': 'text/plain' }, NOW), []);
    assert.deepEqual(readRateLimits({ ratelimit: '"api";r=lots;t=5' }, NOW), []);
    assert.deepEqual(readRateLimits({ 'x-ratelimit-remaining': '-1', 'x-ratelimit-reset': '5' }, NOW), []);
  });

  test('the reset a 429 waits for is capped at ten minutes', () => {
    assert.equal(rateLimitResetMs({ ratelimit: '"api";r=0;t=20' }, NOW), 20_000);
    assert.equal(rateLimitResetMs({ ratelimit: '"api";r=0;t=86400' }, NOW), 600_000);
    assert.equal(rateLimitResetMs({}, NOW), null);
  });
});
