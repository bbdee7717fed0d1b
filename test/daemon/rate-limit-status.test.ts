import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusReport } from '../../src/control/status-report.js';
import { parseJsonOutput } from '../support/cli.js';
import { createDaemonFixture, freePort, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

describe('daemon: the Hub rate limit in status and metrics', () => {
  test('after a 429, status says "rate limited until HH:MM:SS" and /metrics has the same time', async () => {
    fixture = await createDaemonFixture([
      { id: 'org/limited', files: { 'config.json': '{}', 'tokenizer.json': '{"a":1}', 'vocab.txt': 'a\nb\n' } },
    ]);
    const f = fixture;
    // One request per bucket per 30 s, and no warning before the 429.
    f.hub.setRateLimit({ quota: 1, windowSeconds: 30, announce: false });
    const port = await freePort();
    f.db.store.config.set('http.port', String(port));
    f.addSchedule('*/2 * * * * *');
    f.startDaemon();

    const until = await rateLimitInStatus(f);
    assert.ok(until > Date.now() && until <= Date.now() + 31_000, `until ${new Date(until).toISOString()}`);
    assert.ok(f.hub.requests.some((request) => request.status === 429));
    assert.equal(f.model('org/limited').status, 'downloading', 'the download waits; it does not fail');

    const text = await f.cli(['status']);
    assert.match(text.stdout, /^Hub: +rate limited until \d{2}:\d{2}:\d{2} \S+ \(requests wait for the reset\)$/m);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((entry) => entry.startsWith('hfsched_hub_rate_limited_until_timestamp_seconds '));
    assert.ok(Math.abs(Number(line?.split(' ')[1]) - until / 1000) <= 2, line);
    assert.match(metrics, /^hfsched_hub_too_many_requests_total [1-9]/m);
  });
});

describe('daemon: an absurd RateLimit header in status', () => {
  test('r=0.001 means no request left: status shows the wait, until the reset and at most 10 minutes away', async () => {
    fixture = await createDaemonFixture([{ id: 'org/fraction', files: { 'config.json': '{}', 'vocab.txt': 'a\n' } }]);
    const f = fixture;
    f.hub.setRateLimit({ quota: 1, windowSeconds: 1, headers: { RateLimit: '"api";r=0.001;t=100000' } });
    f.addSchedule('*/2 * * * * *');
    f.startDaemon();
    const until = await rateLimitInStatus(f);
    assert.ok(until > Date.now() && until <= Date.now() + 10 * 60_000, `until ${new Date(until).toISOString()}`);
    const text = await f.cli(['status']);
    assert.match(text.stdout, /^Hub: +rate limited until \d{2}:\d{2}:\d{2} \S+ \(requests wait for the reset\)$/m);
  });
});

/** Polls `status --json` until it shows a rate-limit wait; returns its end (ms since the epoch). */
async function rateLimitInStatus(f: DaemonFixture): Promise<number> {
  let report: StatusReport | null = null;
  await waitFor(
    async () => {
      report = parseJsonOutput<StatusReport>(await f.cli(['status', '--json']));
      return report.rateLimitedUntil !== null;
    },
    { timeoutMs: 15_000, what: () => `a rate limit in status: ${JSON.stringify(report)}` },
  );
  return Date.parse((report as unknown as StatusReport).rateLimitedUntil ?? '');
}
