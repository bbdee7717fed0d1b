import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, randomContent, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

/** A 6-field cron pattern firing once a day, `secondsFromNow` from now (machine time zone). */
function onceAt(secondsFromNow: number): string {
  const at = new Date(Date.now() + secondsFromNow * 1000);
  return `${at.getSeconds()} ${at.getMinutes()} ${at.getHours()} * * *`;
}

describe('daemon: live changes from the CLI', () => {
  test('a schedule added and enabled with the CLI while the daemon runs starts downloads without a restart', async () => {
    fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'config.json': '{}' } }]);
    const f = fixture;
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg.startsWith('no schedule is enabled'));
    const added = await f.cli(['schedule', 'add', 'often', '--cron', '*/2 * * * * *', '--enable']);
    assert.equal(added.code, 0, added.stderr);
    await daemon.waitForLog((line) => line.msg === 'schedule armed');
    await waitFor(() => f.model('org/alpha').status === 'completed', {
      timeoutMs: 15_000,
      what: 'the model completed',
    });
  });

  test('a model added while a window is open joins the queue without waiting for the next firing', async () => {
    const slow = randomContent(64 * 1024);
    fixture = await createDaemonFixture([{ id: 'org/slow', files: { 'model.safetensors': slow } }]);
    const f = fixture;
    f.hub.addRepo({ id: 'org/late', revisions: { main: [{ path: 'config.json', content: '{"late":true}' }] } });
    const slowSha = f.hub.fileInfo('org/slow', 'main', 'model.safetensors').sha256;
    // The slow model keeps the window busy; the late one is not throttled.
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 8 * 1024, pathContains: slowSha });
    f.addSchedule(onceAt(4), 2, { windowMinutes: 60 });
    const daemon = f.startDaemon();
    await waitFor(() => f.model('org/slow').status === 'downloading', { timeoutMs: 15_000, what: 'the firing' });
    const added = await f.cli(['model', 'add', 'org/late']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /; a window is open: the running daemon queues it within seconds\.\n/);
    await waitFor(() => f.model('org/late').status === 'completed', {
      timeoutMs: 10_000,
      what: 'the late model completed',
    });
    assert.equal(f.model('org/slow').status, 'downloading', 'still inside the first window');
    assert.equal(daemon.logs.filter((line) => line.msg === 'batch started').length, 1, 'no other firing happened');
  });

  test('a time zone set with the CLI while the daemon runs re-arms the schedule in that zone', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    f.db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:30' });
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg === 'schedule armed');
    const set = await f.cli(['config', 'set', 'scheduler.timezone', 'Pacific/Kiritimati']);
    assert.equal(set.code, 0, set.stderr);
    const rearmed = await daemon.waitForLog(
      (line) => line.msg === 'schedule armed' && line.timezone === 'Pacific/Kiritimati',
    );
    // 01:30 at UTC+14 is 11:30 UTC the day before.
    assert.match(String(rearmed.nextRun), /T11:30:00\.000Z$/);
  });
});
