import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSettings, type Settings } from '../../src/config/settings.js';
import { HubRuntime } from '../../src/hub/index.js';
import { NotFoundError, StateTransitionError } from '../../src/errors.js';
import { downloadModel } from '../../src/download/download-model.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase, useTestHub } from '../support/temp-db.js';

const weights = Buffer.alloc(3 * 1024 * 1024, 7);
let hub: HubServer;
let db: TempDatabase;

beforeEach(async () => {
  hub = await startHubServer({
    repos: [
      {
        id: 'org/model',
        revisions: {
          main: [
            { path: 'config.json', content: '{}' },
            { path: 'model.safetensors', content: weights },
          ],
          v2: [{ path: 'config.json', content: '{"v": 2}' }],
        },
      },
    ],
  });
  db = createTempDatabase();
  useTestHub(db, hub.url);
});
afterEach(async () => {
  db.cleanup();
  await hub.close();
});

function settings(): Settings {
  return readSettings(db.store, {});
}

test('a completed download records the session and the model with its snapshot path and size', async () => {
  const model = db.store.models.create({ name: 'org/model' });
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
  });
  assert.equal(outcome.status, 'completed');
  const after = db.store.models.get(model.id)!;
  assert.equal(after.status, 'completed');
  const commit = hub.commitOf('org/model', 'main');
  assert.equal(after.downloadPath, join(db.dir, 'cache', 'models--org--model', 'snapshots', commit));
  assert.equal(after.sizeBytes, weights.length + 2);
  const [session] = db.store.downloads.history(model.id);
  assert.equal(session!.status, 'completed');
  assert.equal(session!.scheduleId, null);
  assert.equal(session!.bytesDownloaded, weights.length + 2);
  assert.equal(session!.totalBytes, weights.length + 2);
  assert.equal(session!.metadata?.commit, commit);
  assert.deepEqual(readFileSync(join(after.downloadPath!, 'model.safetensors')), weights);
});

test("the model's pinned revision and patterns decide what is downloaded", async () => {
  const model = db.store.models.create({ name: 'org/model', revision: 'v2', includePatterns: ['*.json'] });
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
  });
  assert.equal(outcome.status, 'completed');
  if (outcome.status !== 'completed') return;
  assert.equal(outcome.snapshot.commit, hub.commitOf('org/model', 'v2'));
  assert.equal(outcome.snapshot.fileCount, 1);
});

test('progress reaches the session while the download runs', async () => {
  hub.addFault({ kind: 'throttle', bytesPerSecond: 1024 * 1024, pathContains: 'model.safetensors' });
  const model = db.store.models.create({ name: 'org/model' });
  const seen: Array<{ status: string; bytes: number; total: number | null }> = [];
  const started = performance.now();
  await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
    onProgress: () => {
      const session = db.store.downloads.history(model.id, { limit: 1 })[0]!;
      seen.push({ status: session.status, bytes: session.bytesDownloaded, total: session.totalBytes });
    },
  });
  const inProgress = seen.filter((entry) => entry.status === 'in_progress');
  assert.ok(inProgress.length >= 2, 'progress was recorded more than once');
  assert.ok(inProgress.every((entry) => entry.total === weights.length + 2));
  const distinct = new Set(inProgress.map((entry) => entry.bytes));
  // At most one write a second (plus the first), not one per report.
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seen.length > distinct.size, 'reports outnumber writes');
  assert.ok(
    distinct.size >= 2 && distinct.size <= Math.ceil(seconds) + 1,
    `${distinct.size} writes in ${seconds.toFixed(1)} s`,
  );
});

test('a failed download records the error on the session, fails the model and says so in its outcome', async () => {
  const model = db.store.models.create({ name: 'org/missing' });
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
  });
  assert.equal(outcome.status, 'failed');
  if (outcome.status !== 'failed') return;
  assert.ok(outcome.error instanceof NotFoundError);
  assert.equal(outcome.session.status, 'failed');
  assert.equal(db.store.models.get(model.id)!.status, 'failed');
  const [session] = db.store.downloads.history(model.id);
  assert.equal(session!.status, 'failed');
  assert.equal(
    session!.errorMessage,
    'repository "org/missing" not found, or private: check the name, or set HF_TOKEN',
  );
});

test('aborting pauses: the session is cancelled with the reason and the model paused', async () => {
  hub.addFault({ kind: 'throttle', bytesPerSecond: 1024 * 1024, pathContains: 'model.safetensors' });
  const model = db.store.models.create({ name: 'org/model' });
  const controller = new AbortController();
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.fetchedBytes > 512 * 1024) controller.abort('download window closed');
    },
  });
  assert.equal(outcome.status, 'paused');
  assert.equal(outcome.session.status, 'cancelled');
  assert.equal(db.store.models.get(model.id)!.status, 'paused');
  const [session] = db.store.downloads.history(model.id);
  assert.equal(session!.status, 'cancelled');
  assert.equal(session!.errorMessage, 'download window closed');
});

test('a model that is already downloading is not started twice', async () => {
  const model = db.store.models.create({ name: 'org/model' });
  db.store.downloads.begin({ modelId: model.id, scheduleId: null });
  await assert.rejects(
    downloadModel(db.store, db.store.models.get(model.id)!, {
      scheduleId: null,
      settings: settings(),
      token: null,
      runtime: new HubRuntime(),
    }),
    StateTransitionError,
  );
  assert.equal(db.store.downloads.history(model.id).length, 1);
});
