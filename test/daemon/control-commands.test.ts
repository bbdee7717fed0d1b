import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, partialSize, randomContent, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

/** A daily time twelve hours away: the schedule will not fire during the test. */
function farAway(): string {
  const at = new Date(Date.now() + 12 * 3600_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

describe('daemon: control commands', () => {
  test('run-now without a running daemon says how to start one', async () => {
    fixture = await createDaemonFixture([]);
    const result = await fixture.cli(['run-now']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /daemon not running .*start it with hfsched daemon, or .*hfsched pull/);
  });

  test("run-now starts the enabled schedule's batch at once", async () => {
    fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'config.json': '{}' } }]);
    const f = fixture;
    f.db.store.schedules.create({ name: 'nightly', type: 'daily', time: farAway() });
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg === 'daemon started');
    const result = await f.cli(['run-now']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /batch started: 1 model\(s\) queued/);
    await waitFor(() => f.model('org/alpha').status === 'completed', { timeoutMs: 15_000, what: 'the download' });
  });

  test('pausing a downloading model stops it, keeps its partial file, and it stays paused until resumed', async () => {
    // Over 1 MiB: smaller files are gathered in memory and leave no partial file.
    const weights = randomContent(2 * 1024 * 1024);
    fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'model.safetensors': weights } }]);
    const f = fixture;
    const { sha256 } = f.hub.fileInfo('org/alpha', 'main', 'model.safetensors');
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 64 * 1024 });
    f.addSchedule('*/2 * * * * *');
    const daemon = f.startDaemon();
    const modelId = f.model('org/alpha').id;
    await waitFor(() => (f.db.store.downloads.history(modelId, { limit: 1 })[0]?.bytesDownloaded ?? 0) > 0, {
      timeoutMs: 15_000,
      what: 'the download under way',
    });

    const pause = await f.cli(['model', 'pause', 'org/alpha']);
    assert.equal(pause.code, 0, pause.stderr);
    await waitFor(() => f.model('org/alpha').status === 'paused', { timeoutMs: 5000, what: 'the model paused' });
    const [session] = f.db.store.downloads.history(modelId, { limit: 1 });
    assert.equal(session?.status, 'cancelled');
    assert.equal(session?.errorMessage, 'paused by user');
    assert.ok(partialSize(f.cacheDir, 'org/alpha', sha256) > 0, 'the partial file stays (flushed at the pause)');

    const firings = (): number => daemon.logs.filter((line) => line.msg === 'batch started').length;
    const seen = firings();
    await waitFor(() => firings() >= seen + 2, { timeoutMs: 10_000, what: 'two more firings' });
    assert.equal(f.model('org/alpha').status, 'paused', 'firings leave a user-paused model alone');
    assert.equal(f.db.store.downloads.history(modelId, { limit: 10 }).length, 1);

    f.hub.clearFaults();
    const resume = await f.cli(['model', 'resume', 'org/alpha']);
    assert.equal(resume.code, 0, resume.stderr);
    await waitFor(() => f.model('org/alpha').status === 'completed', {
      timeoutMs: 15_000,
      what: 'the resumed download',
    });
  });

  test('pause, resume and retry change the model directly when no daemon runs', async () => {
    fixture = await createDaemonFixture([
      { id: 'org/alpha', files: { 'config.json': '{}' } },
      { id: 'org/beta', files: { 'config.json': '{}' } },
    ]);
    const f = fixture;
    const alpha = f.model('org/alpha');
    assert.equal((await f.cli(['model', 'pause', 'org/alpha'])).code, 0);
    assert.equal(f.model('org/alpha').status, 'paused');
    assert.ok(f.db.store.models.heldIds().has(alpha.id));
    assert.equal((await f.cli(['model', 'resume', String(alpha.id)])).code, 0);
    assert.equal(f.model('org/alpha').status, 'pending');

    const beta = f.model('org/beta');
    f.db.store.downloads.fail(f.db.store.downloads.begin({ modelId: beta.id, scheduleId: null }).id, 'server said 500');
    const retry = await f.cli(['model', 'retry', 'org/beta']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(f.model('org/beta').status, 'pending');
    const wrong = await f.cli(['model', 'resume', 'org/beta']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /org\/beta.*pending, not paused/);
  });

  test('pausing a downloading model without a daemon is refused with the reason', async () => {
    fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'config.json': '{}' } }]);
    const f = fixture;
    f.db.store.downloads.begin({ modelId: f.model('org/alpha').id, scheduleId: null });
    const result = await f.cli(['model', 'pause', 'org/alpha']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is downloading, but not by a daemon that can stop it; .*Ctrl-C/);
    assert.equal(f.model('org/alpha').status, 'downloading');
  });
});
