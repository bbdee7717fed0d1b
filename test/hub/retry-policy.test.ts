import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BandwidthLimiter } from '../../src/hub/transfer/bandwidth-limiter.js';
import { backoffDelayMs, parseRetryAfter } from '../../src/hub/protocol/retry-policy.js';

test('Retry-After is read as seconds or as an HTTP date, and capped at ten minutes', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('86400', now), 600_000);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(undefined, now), null);
});

test('the pause before each retry doubles, with jitter between half and all of it, up to a minute', () => {
  assert.equal(
    backoffDelayMs(1, 1000, () => 0),
    500,
  );
  assert.equal(
    backoffDelayMs(1, 1000, () => 1),
    1000,
  );
  assert.equal(
    backoffDelayMs(3, 1000, () => 1),
    4000,
  );
  assert.equal(
    backoffDelayMs(20, 1000, () => 1),
    60_000,
  );
});

test('a bandwidth limit lets a short burst through, then spaces reads at the allowed rate', () => {
  const limiter = new BandwidthLimiter(1_000_000);
  assert.equal(limiter.reserve(100_000), 0, 'the first read of an idle limiter waits for nothing');
  let waited = 0;
  for (let i = 0; i < 20; i += 1) waited = limiter.reserve(100_000);
  // 21 reads of 0.1 s each at 1 MB/s, the first 0.25 s free: the last one starts 1.75 s from now.
  assert.ok(waited > 1650 && waited <= 1750, `last read waits ${waited} ms`);
});

test('changing the bandwidth limit applies to the next reads; 0 removes it', () => {
  const limiter = new BandwidthLimiter(1000);
  limiter.reserve(10_000);
  limiter.setRate(0);
  assert.equal(limiter.reserve(10_000_000), 0);
  assert.equal(limiter.bytesPerSecond, 0);
});
