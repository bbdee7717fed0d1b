import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { createDaemonFixture, freePort, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

/** The value of one sample of the Prometheus text format, or null. */
function sample(metrics: string, series: string): number | null {
  const line = metrics.split('\n').find((text) => text.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

async function startWithListener(): Promise<{ f: DaemonFixture; url: string }> {
  fixture = await createDaemonFixture([
    { id: 'org/alpha', files: { 'config.json': '{}', 'weights.bin': 'x'.repeat(4096) } },
  ]);
  const f = fixture;
  const port = await freePort();
  f.db.store.config.set('http.port', String(port));
  const daemon = f.startDaemon();
  const started = await daemon.waitForLog((line) => line.msg === 'daemon started');
  assert.equal(started.http, `http://127.0.0.1:${port}`, 'listens on http.host (127.0.0.1 by default)');
  const startLine = daemon.logText.find((line) => line.includes('"msg":"daemon started"')) ?? '';
  assert.equal(startLine.match(/"pid":/g)?.length, 1, `one pid key: ${startLine}`);
  return { f, url: `http://127.0.0.1:${port}` };
}

describe('daemon: health and metrics over HTTP', () => {
  test('/healthz answers 200 with its checks while the daemon loop and the database are fine', async () => {
    const { url } = await startWithListener();
    const response = await fetch(`${url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', checks: { loop: 'ok', database: 'ok' } });
  });

  test('/healthz answers 503 naming the problem while a setting in the database is invalid, and the daemon stays alive', async () => {
    const { f, url } = await startWithListener();
    // Written around the CLI's validation, as a hand edit of the database would.
    f.db.store.config.set('download.max_retries', 'many');
    let body: { status: string; checks: Record<string, string> } | null = null;
    await waitFor(
      async () => {
        const response = await fetch(`${url}/healthz`);
        body = (await response.json()) as typeof body;
        return response.status === 503;
      },
      { timeoutMs: 5000, what: () => `an unhealthy answer: ${JSON.stringify(body)}` },
    );
    assert.match(JSON.stringify(body), /download\.max_retries/);
    const alive = await f.cli(['status', '--health']);
    assert.equal(alive.code, 0, 'the heartbeat goes on');
    f.db.store.config.set('download.max_retries', '3');
    await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, {
      timeoutMs: 5000,
      what: 'healthy again',
    });
  });

  test('/metrics reports downloads by status, bytes, active downloads, queue length, next run and failures', async () => {
    const { f, url } = await startWithListener();
    f.addSchedule('*/2 * * * * *');
    await waitFor(() => f.model('org/alpha').status === 'completed', { timeoutMs: 15_000, what: 'the download' });
    let text = '';
    await waitFor(
      async () => {
        text = await (await fetch(`${url}/metrics`)).text();
        return sample(text, 'hfsched_downloads_total{status="completed"}') === 1;
      },
      { timeoutMs: 5000, what: () => `the completed download in /metrics:\n${text}` },
    );
    const response = await fetch(`${url}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(text, 'hfsched_downloads_total{status="failed"}'), 0);
    assert.ok((sample(text, 'hfsched_downloaded_bytes_total') ?? 0) >= 4096 + 2);
    assert.equal(sample(text, 'hfsched_active_downloads'), 0);
    assert.equal(sample(text, 'hfsched_queue_length'), 0);
    assert.equal(sample(text, 'hfsched_models{status="completed"}'), 1);
    const nextRun = sample(text, 'hfsched_next_run_timestamp_seconds') ?? 0;
    assert.ok(
      nextRun > Date.now() / 1000 - 5 && nextRun < Date.now() / 1000 + 5,
      `next run is in two seconds (${nextRun})`,
    );
    assert.match(text, /# TYPE hfsched_download_failures_total counter/);
  });

  test('an unknown path answers 404', async () => {
    const { url } = await startWithListener();
    assert.equal((await fetch(`${url}/nope`)).status, 404);
  });

  test('a listener port already in use stops the daemon at start with a clear error', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      f.db.store.config.set('http.port', String(port));
      const result = await f.cli(['daemon']);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} for health and metrics: EADDRINUSE`),
      );
      assert.equal(f.db.store.daemon.status(), null, 'no registration is left behind');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  test('hfsched status --health exits 0 while the daemon runs and 1 once it stopped', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    const before = await f.cli(['status', '--health']);
    assert.equal(before.code, 1);
    assert.match(before.stderr, /unhealthy: daemon not running/);
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg === 'daemon started');
    const alive = await f.cli(['status', '--health']);
    assert.equal(alive.code, 0, alive.stderr);
    assert.match(alive.stdout, new RegExp(`^ok: daemon running \\(pid ${daemon.pid}, heartbeat `));
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    const after = await f.cli(['status', '--health']);
    assert.equal(after.code, 1);
  });

  test('a listener beyond loopback is warned about at start and in status', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    const port = await freePort();
    f.db.store.config.set('http.port', String(port));
    f.db.store.config.set('http.host', '0.0.0.0');
    const daemon = f.startDaemon();
    const warning = await daemon.waitForLog((line) =>
      line.msg.startsWith('the health and metrics listener is reachable'),
    );
    assert.equal(warning.level, 40, 'logged as a warning');
    await daemon.waitForLog((line) => line.msg === 'daemon started');
    const status = await f.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /reachable beyond this machine: firewall it, or set http\.host 127\.0\.0\.1/);
  });
});
