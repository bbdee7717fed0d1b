import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

describe('daemon: failures and retries', () => {
  test('a server fault fails the session with its error, and a later firing retries it successfully', async () => {
    fixture = await createDaemonFixture([{ id: 'org/flaky', files: { 'config.json': '{"flaky":true}' } }]);
    const f = fixture;
    // One retry per request, then the attempt fails; the scheduler retries the model once too.
    f.db.store.config.set('download.max_retries', '1');
    f.hub.addFault({ kind: 'status', status: 500, pathContains: 'config.json', times: 2 });
    f.addSchedule('*/2 * * * * *', 1);
    const daemon = f.startDaemon();
    const modelId = f.model('org/flaky').id;

    await waitFor(() => f.model('org/flaky').status === 'completed', {
      timeoutMs: 25_000,
      what: () => `a completed retry: ${JSON.stringify(f.db.store.downloads.history(modelId, { limit: 5 }))}`,
    });
    const [retried, failed] = f.db.store.downloads.history(modelId, { limit: 5 });
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.errorMessage ?? '', /500/, 'the error says what the server answered');
    assert.match(failed?.errorMessage ?? '', /org\/flaky|config\.json/, 'and which model or file');
    assert.equal(failed?.retryCount, 0);
    assert.equal(retried?.status, 'completed');
    assert.equal(retried?.retryCount, 1, 'the retry is counted');
    assert.ok(
      daemon.logs.some((line) => line.model === 'org/flaky' && typeof line.session === 'number' && line.level >= 40),
      'the failure is logged with its model and session',
    );
  });

  test('a model that used up its retries is not queued again until hfsched model retry', async () => {
    fixture = await createDaemonFixture([{ id: 'org/broken', files: { 'config.json': '{}' } }]);
    const f = fixture;
    f.db.store.config.set('download.max_retries', '1');
    f.hub.addFault({ kind: 'status', status: 500, pathContains: 'config.json' });
    f.addSchedule('*/2 * * * * *', 1);
    const daemon = f.startDaemon();
    const modelId = f.model('org/broken').id;
    await waitFor(
      () => f.db.store.downloads.history(modelId, { limit: 5 }).filter((s) => s.status === 'failed').length === 2,
      {
        timeoutMs: 25_000,
        what: 'two failed attempts',
      },
    );
    const firings = (): number => daemon.logs.filter((line) => line.msg === 'batch started').length;
    const seen = firings();
    await waitFor(() => firings() >= seen + 2, { timeoutMs: 10_000, what: 'two more firings' });
    assert.equal(f.db.store.downloads.history(modelId, { limit: 5 }).length, 2, 'no third attempt');

    f.hub.clearFaults();
    const retry = await f.cli(['model', 'retry', 'org/broken']);
    assert.equal(retry.code, 0, retry.stderr);
    await waitFor(() => f.model('org/broken').status === 'completed', { timeoutMs: 15_000, what: 'the retried model' });
    assert.equal(f.db.store.downloads.history(modelId, { limit: 1 })[0]?.retryCount, 0, 'the retry count starts again');
  });
});
