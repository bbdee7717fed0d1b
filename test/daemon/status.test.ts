import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusReport } from '../../src/control/status-report.js';
import { parseJsonOutput } from '../support/cli.js';
import { createDaemonFixture, randomContent, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

describe('daemon: hfsched status', () => {
  test('status shows the live daemon, the next run, each running download with speed and ETA, and the queue', async () => {
    fixture = await createDaemonFixture([
      { id: 'org/first', files: { 'model.safetensors': randomContent(256 * 1024) } },
      { id: 'org/second', files: { 'model.safetensors': randomContent(256 * 1024) } },
    ]);
    const f = fixture;
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 32 * 1024 });
    const scheduleId = f.addSchedule('*/2 * * * * *', 1);
    const daemon = f.startDaemon();

    let report: StatusReport | null = null;
    await waitFor(
      async () => {
        const result = await f.cli(['status', '--json']);
        assert.equal(result.code, 0, result.stderr);
        report = parseJsonOutput<StatusReport>(result);
        const running = report.running[0];
        return (
          running !== undefined &&
          running.bytesPerSecond !== null &&
          running.bytesPerSecond > 0 &&
          report.queue.length === 1
        );
      },
      { timeoutMs: 15_000, what: () => `a running download with a speed and one queued: ${JSON.stringify(report)}` },
    );
    const status = report as unknown as StatusReport;
    assert.equal(status.daemon.alive, true);
    assert.equal(status.daemon.pid, daemon.pid);
    assert.equal(status.schedule?.id, scheduleId);
    assert.ok(status.nextRunAt !== null && Date.parse(status.nextRunAt) > Date.now() - 3000);
    assert.equal(status.running.length, 1, 'one at a time');
    const running = status.running[0]!;
    assert.equal(running.model, 'org/first', 'the oldest model first');
    assert.equal(running.totalBytes, 256 * 1024);
    assert.ok(running.bytesDownloaded > 0);
    assert.ok(running.etaSeconds !== null && running.etaSeconds >= 0);
    assert.deepEqual(
      status.queue.map((entry) => entry.model),
      ['org/second'],
    );

    const text = await f.cli(['status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`Daemon: +running \\(pid ${daemon.pid} on `));
    assert.match(text.stdout, /Next run: +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+/);
    assert.match(
      text.stdout,
      /MODEL +SESSION +PROGRESS +SPEED +ETA +STARTED \(\S+\)\norg\/first +\d+ +[\d.]+ \S+ \/ 256 KiB \(\d+%\) +[\d.]+ \S+\/s +\d+s/,
    );
    assert.match(text.stdout, /Queue \(1, in order\): org\/second/);
  });

  test('status without a daemon says it is not running and still shows the next run', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    f.db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:30', maxConcurrentDownloads: 2 });
    const result = await f.cli(['status', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = parseJsonOutput<StatusReport>(result);
    assert.equal(report.daemon.alive, false);
    assert.equal(report.schedule?.maxConcurrentDownloads, 2);
    assert.ok(report.nextRunAt !== null && Date.parse(report.nextRunAt) > Date.now());
    const text = await f.cli(['status']);
    assert.match(
      text.stdout,
      /Daemon: +not running \(no daemon has registered on this database\); start it with: hfsched daemon/,
    );
  });
});
