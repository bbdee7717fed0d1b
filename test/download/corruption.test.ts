/**
 * A server that keeps sending corrupt bytes: the file is fetched three times
 * in a row, then the model fails with a message that says so, and the
 * scheduler leaves it alone until a person retries it.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings } from '../../src/config/settings.js';
import { modelsToQueue } from '../../src/daemon/batch-planner.js';
import { downloadModel } from '../../src/download/download-model.js';
import { HubRuntime } from '../../src/hub/index.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase, useTestHub } from '../support/temp-db.js';

const weights = Buffer.alloc(2 * 1024 * 1024, 5);
let hub: HubServer;
let db: TempDatabase;

beforeEach(async () => {
  hub = await startHubServer({
    repos: [{ id: 'org/model', revisions: { main: [{ path: 'model.safetensors', content: weights }] } }],
  });
  db = createTempDatabase();
  useTestHub(db, hub.url);
  db.store.config.set('download.max_retries', '10');
});
afterEach(async () => {
  db.cleanup();
  await hub.close();
});

test('a file that fails verification 3 times in a row fails the model, which the scheduler then leaves alone until retried', async () => {
  hub.addFault({ kind: 'corrupt', pathContains: 'model.safetensors' });
  const model = db.store.models.create({ name: 'org/model' });
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: readSettings(db.store, {}),
    token: null,
    runtime: new HubRuntime(),
    retryBaseDelayMs: 10,
  });
  assert.equal(outcome.status, 'failed');
  assert.match(
    outcome.status === 'failed' ? outcome.error.message : '',
    /the server keeps sending bytes that do not match sha256 [0-9a-f]{64} for "model.safetensors" of "org\/model": 3 downloads in a row failed verification/,
  );
  const transfers = hub.requests.filter((request) => request.host === 'cdn' && request.status === 200);
  assert.equal(transfers.length, 3, 'three full transfers, not max_retries + 1');

  const session = db.store.downloads.history(model.id, { limit: 1 })[0]!;
  assert.equal(session.status, 'failed');
  assert.match(session.errorMessage ?? '', /leaves org\/model alone until: hfsched model retry org\/model$/);
  assert.deepEqual(
    modelsToQueue(db.store, 10, () => false).map((m) => m.name),
    [],
  );

  db.store.models.retry(model.id);
  assert.deepEqual(
    modelsToQueue(db.store, 10, () => false).map((m) => m.name),
    ['org/model'],
  );
});
