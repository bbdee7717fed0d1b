import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('model retry of a completed model in an open window joins the queue at once, as docs/daemon.md says', async () => {
  fixture = await createDaemonFixture([{ id: 'org/model', files: { 'config.json': '{}', 'weights.bin': 'weights' } }]);
  const f = fixture;
  // Fires once a year: only run-now opens the window (an hour long) during the test.
  f.addSchedule('0 0 1 1 *', 1, { windowMinutes: 60 });
  const daemon = f.startDaemon();
  await daemon.waitForLog((line) => line.msg === 'daemon started');
  const runNow = await f.cli(['run-now']);
  assert.equal(runNow.code, 0, runNow.stderr);
  await waitFor(() => f.model('org/model').status === 'completed', { timeoutMs: 20_000, what: 'the first download' });

  const retry = await f.cli(['model', 'retry', 'org/model']);
  assert.equal(retry.code, 0, retry.stderr);
  assert.match(retry.stdout, /queued in the open window/);
  await waitFor(() => f.db.store.downloads.history(f.model('org/model').id).length === 2, {
    timeoutMs: 20_000,
    what: 'the retried model downloaded in the same window',
  });
  await waitFor(() => f.model('org/model').status === 'completed', { timeoutMs: 20_000, what: 'the re-check done' });
});
