/**
 * RateLimit values a broken server or mirror may send: fractions, zero, huge
 * and negative numbers. Each is served by the test Hub on real answers; the
 * limiter, fed those answers, must never wait past the window's reset nor
 * past its 10-minute cap (docs/proxies.md), never hand Node a timer beyond
 * 2^31-1 ms (it would fire at once and the wait would spin), and a download
 * under such headers must finish.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { HubRateLimiter, type RateLimiterClock } from '../../src/hub/protocol/rate-limit.js';
import { createHubFixture, type HubFixture } from './fixtures.js';

const TEN_MINUTES_MS = 10 * 60_000;
const NODE_TIMER_MAX_MS = 2 ** 31 - 1;

/** A clock whose sleeps move time forward at once, recording each wait. */
function steppingClock(): RateLimiterClock & { waits: number[] } {
  let time = Date.parse('2026-01-01T00:00:00Z');
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: (ms: number) => {
      waits.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

/** The headers the test Hub sends on a resolve answer when told to send `headers`. */
async function servedHeaders(fixture: HubFixture, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  fixture.hub.setRateLimit({ quota: 1, windowSeconds: 1, headers });
  const response = await fetch(`${fixture.hub.url}/org/tiny/resolve/main/config.json`);
  await response.arrayBuffer();
  return Object.fromEntries(response.headers);
}

const ABSURD: ReadonlyArray<{ name: string; headers: Record<string, string>; longestWaitMs: number }> = [
  {
    name: 'a fraction of a request left (r=0.001)',
    headers: { RateLimit: '"resolvers";r=0.001;t=100' },
    longestWaitMs: 100_000,
  },
  {
    name: 'a billionth of a request and a reset in 30 years',
    headers: { RateLimit: '"resolvers";r=1e-9;t=1e9' },
    longestWaitMs: TEN_MINUTES_MS,
  },
  {
    name: 'a fraction with a quota (r=2.5 of q=3000)',
    headers: { RateLimit: '"resolvers";r=2.5;t=300', 'RateLimit-Policy': '"fixed window";"resolvers";q=3000;w=300' },
    longestWaitMs: 300_000,
  },
  { name: 'nothing left and a reset now (r=0;t=0)', headers: { RateLimit: '"resolvers";r=0;t=0' }, longestWaitMs: 0 },
  { name: 'negative values (r=-5;t=-3)', headers: { RateLimit: '"resolvers";r=-5;t=-3' }, longestWaitMs: 0 },
  { name: 'huge values (r=1e308;t=1e308)', headers: { RateLimit: '"resolvers";r=1e308;t=1e308' }, longestWaitMs: 0 },
  {
    name: 'X-RateLimit with half a request and a reset in the year 5138',
    headers: { 'X-RateLimit-Remaining': '0.5', 'X-RateLimit-Reset': '99999999999' },
    longestWaitMs: TEN_MINUTES_MS,
  },
];

describe('RateLimit values that are fractions or absurd', () => {
  let fixture: HubFixture | null = null;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = null;
  });

  for (const { name, headers, longestWaitMs } of ABSURD) {
    test(`${name}: every wait ends by the reset, under 10 minutes, one sleep per request`, async () => {
      fixture = await createHubFixture([
        { id: 'org/tiny', revisions: { main: [{ path: 'config.json', content: '{}' }] } },
      ]);
      const served = await servedHeaders(fixture, headers);
      const clock = steppingClock();
      const limiter = new HubRateLimiter(clock);
      const url = new URL(`${fixture.hub.url}/org/tiny/resolve/main/config.json`);
      for (let request = 0; request < 5; request += 1) {
        const before = clock.waits.length;
        await limiter.waitForTurn(url);
        assert.ok(clock.waits.length - before <= 1, `request ${request} slept ${clock.waits.length - before} times`);
        // Every answer carries the same header again.
        limiter.observe(url, 200, served);
      }
      for (const wait of clock.waits) {
        assert.ok(wait <= longestWaitMs, `waited ${wait} ms; at most ${longestWaitMs}`);
        assert.ok(wait <= NODE_TIMER_MAX_MS);
      }
    });
  }

  test(
    'a download whose every answer says r=0.001 finishes, waiting for each reset instead of a thousand windows',
    { timeout: 30_000 },
    async () => {
      fixture = await createHubFixture([
        {
          id: 'org/tiny',
          revisions: {
            // Four files, so that some requests come after the first paced one.
            main: ['config.json', 'vocab.txt', 'merges.txt', 'tokenizer.json'].map((path) => ({ path, content: path })),
          },
        },
      ]);
      fixture.hub.setRateLimit({ quota: 1, windowSeconds: 1, headers: { RateLimit: '"resolvers";r=0.001;t=1' } });
      const result = await fixture.pull('org/tiny');
      assert.equal(result.fileCount, 4);
      const { waitedSeconds } = fixture.runtime.rateLimiter.counters();
      assert.ok(waitedSeconds <= 10, `waited ${waitedSeconds} s`);
    },
  );
});
