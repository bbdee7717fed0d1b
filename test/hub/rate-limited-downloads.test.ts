import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubFileSpec, RateLimitSpec } from '../support/hub-server.js';
import { createHubFixture, type HubFixture } from './fixtures.js';

/** Small regular files: one `resolve` request each, served by the Hub host itself (no CDN). */
function manyFiles(count: number): HubFileSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    path: `shards/part-${index}.json`,
    content: `{"part":${index}}`,
  }));
}

async function downloadUnder(spec: RateLimitSpec, files: number): Promise<{ fixture: HubFixture; elapsedMs: number }> {
  const fixture = await createHubFixture([{ id: 'org/many', revisions: { main: manyFiles(files) } }], {
    rateLimit: spec,
  });
  const started = Date.now();
  const result = await fixture.pull('org/many', { maxRetries: 3 });
  assert.equal(result.fileCount, files);
  return { fixture, elapsedMs: Date.now() - started };
}

describe('downloads under the Hub rate limit', () => {
  let fixture: HubFixture | null = null;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = null;
  });

  for (const style of ['ietf', 'x-ratelimit'] as const) {
    test(`downloads slow down to the announced budget (${style} headers) and never see a 429`, async () => {
      const run = await downloadUnder({ quota: 8, windowSeconds: 1, style }, 16);
      fixture = run.fixture;
      const resolves = fixture.hub.requests.filter((request) => request.path.includes('/resolve/'));
      assert.equal(resolves.length, 16);
      assert.deepEqual(
        fixture.hub.requests.filter((request) => request.status === 429),
        [],
      );
      // 16 resolves at 8 per window need at least one reset.
      assert.ok(run.elapsedMs >= 1000, `took ${run.elapsedMs} ms`);
    });
  }

  test('a 429 that came without warning is waited out until the reset, and the download completes', async () => {
    const run = await downloadUnder({ quota: 5, windowSeconds: 1, announce: false }, 14);
    fixture = run.fixture;
    const refused = fixture.hub.requests.filter((request) => request.status === 429);
    assert.ok(refused.length >= 1, 'the Hub refused some requests');
    assert.ok(fixture.runtime.rateLimiter.counters().tooManyRequests >= 1);
    assert.ok(run.elapsedMs >= 2000, `took ${run.elapsedMs} ms`);
  });
});
