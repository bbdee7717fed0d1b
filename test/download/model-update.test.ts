/**
 * A tracked model follows its branch: the check is one API call, an update
 * fetches only the blobs the cache lacks and moves refs/main, the session
 * records from -> to, superseded snapshots beyond cache.keep_revisions are
 * pruned, and a failed check leaves a completed model completed.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSettings, type Settings } from '../../src/config/settings.js';
import { downloadModel } from '../../src/download/download-model.js';
import { HubRuntime } from '../../src/hub/index.js';
import { checkTrackedModel } from '../../src/download/model-update.js';
import type { Model } from '../../src/store/types.js';
import { startProxy } from '../support/logging-proxy.js';
import { startHubServer, type HubFileSpec, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { randomBytes } from 'node:crypto';

const shared = randomBytes(300 * 1024);
const firstOnly = randomBytes(200 * 1024);
const secondOnly = randomBytes(250 * 1024);
const thirdOnly = randomBytes(150 * 1024);
let hub: HubServer;
let db: TempDatabase;
let cacheDir: string;

function files(config: string, weights: Buffer): HubFileSpec[] {
  return [
    { path: 'config.json', content: config },
    { path: 'shared.safetensors', content: shared },
    { path: 'weights.safetensors', content: weights },
  ];
}

beforeEach(async () => {
  hub = await startHubServer({ repos: [{ id: 'org/tracked', revisions: { main: files('{"v": 1}', firstOnly) } }] });
  db = createTempDatabase();
  cacheDir = join(db.dir, 'cache');
  db.store.config.set('hub.endpoint', hub.url);
  db.store.config.set('hub.cache_dir', cacheDir);
  db.store.config.set('download.min_free_bytes', '0');
});
afterEach(async () => {
  db.cleanup();
  await hub.close();
});

function settings(): Settings {
  return readSettings(db.store, {});
}

async function download(model: Model): Promise<void> {
  const outcome = await downloadModel(db.store, model, {
    scheduleId: null,
    settings: settings(),
    token: null,
    runtime: new HubRuntime(),
    env: {},
  });
  assert.equal(outcome.status, 'completed');
}

/** Checks the branch; downloads it when it moved, as the daemon does at each firing. */
async function fire(id: number): Promise<string> {
  const model = db.store.models.get(id)!;
  const check = await checkTrackedModel(db.store, model, {
    runtime: new HubRuntime(),
    settings: settings(),
    token: null,
    env: {},
    retryBaseDelayMs: 1,
  });
  if (check.kind === 'moved') await download(model);
  return check.kind;
}

const repoDir = (): string => join(cacheDir, 'models--org--tracked');
const cdnFetches = (): string[] =>
  hub.requests.filter((request) => request.host === 'cdn' && request.status < 300).map((request) => request.path);

test('an unchanged branch costs one API call and records the check', async () => {
  const model = db.store.models.create({ name: 'org/tracked' });
  await download(model);
  hub.clearLog();
  assert.equal(await fire(model.id), 'unchanged');
  assert.deepEqual(
    hub.requests.map((request) => `${request.method} ${request.path}`),
    ['GET /api/models/org/tracked/revision/main'],
  );
  const after = db.store.models.get(model.id)!;
  assert.equal(after.status, 'completed');
  assert.ok(after.lastCheckedAt !== null);
  assert.equal(after.lastCheckError, null);
});

test('a moved branch is followed: only new blobs are fetched, refs/main moves, the session says from -> to', async () => {
  const model = db.store.models.create({ name: 'org/tracked' });
  await download(model);
  const first = hub.commitOf('org/tracked', 'main');
  const second = hub.moveBranch('org/tracked', 'main', files('{"v": 2}', secondOnly));
  hub.clearLog();

  assert.equal(await fire(model.id), 'moved');

  const after = db.store.models.get(model.id)!;
  assert.equal(after.status, 'completed');
  assert.equal(after.currentCommit, second);
  assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), second);
  // The shared weights were not fetched again: one LFS blob from the CDN, and the small config from the Hub.
  assert.deepEqual(cdnFetches().length, 1);
  assert.ok(cdnFetches()[0]!.includes(hub.fileInfo('org/tracked', 'main', 'weights.safetensors').sha256));
  const resolved = hub.requests.filter((request) => request.path.includes('/resolve/')).map((request) => request.path);
  assert.deepEqual(resolved, [
    `/org/tracked/resolve/${second}/config.json`,
    `/org/tracked/resolve/${second}/weights.safetensors`,
  ]);
  const [session] = db.store.downloads.history(model.id, { limit: 1 });
  assert.equal(session!.metadata?.fromCommit, first);
  assert.equal(session!.metadata?.commit, second);
  assert.equal(session!.metadata?.fetchedBytes, secondOnly.length + '{"v": 2}'.length);
  assert.deepEqual(readFileSync(join(after.downloadPath!, 'weights.safetensors')), secondOnly);
});

test('after updates, cache.keep_revisions snapshots stay, with exactly the blobs they link to', async () => {
  const model = db.store.models.create({ name: 'org/tracked' });
  await download(model);
  const first = hub.commitOf('org/tracked', 'main');
  const firstWeights = hub.fileInfo('org/tracked', 'main', 'weights.safetensors').sha256;
  const second = hub.moveBranch('org/tracked', 'main', files('{"v": 2}', secondOnly));
  assert.equal(await fire(model.id), 'moved');
  assert.deepEqual(readdirSync(join(repoDir(), 'snapshots')).sort(), [first, second].sort(), 'two kept by default');

  const third = hub.moveBranch('org/tracked', 'main', files('{"v": 3}', thirdOnly));
  assert.equal(await fire(model.id), 'moved');

  assert.deepEqual(readdirSync(join(repoDir(), 'snapshots')).sort(), [second, third].sort());
  assert.equal(existsSync(join(repoDir(), 'blobs', firstWeights)), false, 'the first weights are gone');
  const blobs = readdirSync(join(repoDir(), 'blobs')).sort();
  const expected = [second, third].flatMap((commit) =>
    ['config.json', 'shared.safetensors', 'weights.safetensors'].map(
      (path) => hub.fileInfo('org/tracked', commit, path).etag,
    ),
  );
  assert.deepEqual(blobs, [...new Set(expected)].sort());
});

test('a pinned model (--no-track) keeps the commit it has when its branch moves', async () => {
  const model = db.store.models.create({ name: 'org/tracked', tracking: false });
  await download(model);
  const first = hub.commitOf('org/tracked', 'main');
  hub.moveBranch('org/tracked', 'main', files('{"v": 2}', secondOnly));
  assert.deepEqual(db.store.models.trackedCompleted(), [], 'the daemon does not check it');
  // A repair (here: another download) fetches the pinned commit, not the moved branch.
  db.store.models.markForRepair(model.id, 'test');
  await download(db.store.models.get(model.id)!);
  assert.equal(db.store.models.get(model.id)!.currentCommit, first);
});

test('a failed check (Hub answering 503) is recorded and leaves the model completed', async () => {
  const model = db.store.models.create({ name: 'org/tracked' });
  await download(model);
  hub.addFault({ kind: 'status', status: 503, pathContains: '/api/models/org/tracked/revision' });
  assert.equal(await fire(model.id), 'failed');
  const after = db.store.models.get(model.id)!;
  assert.equal(after.status, 'completed');
  assert.match(after.lastCheckError ?? '', /503/);
  hub.clearFaults();
  assert.equal(await fire(model.id), 'unchanged');
  assert.equal(db.store.models.get(model.id)!.lastCheckError, null, 'the next check clears it');
});

test('a model on a tag is pinned after its first download; one on another branch stays tracked', async () => {
  hub.addRepo({
    id: 'org/tagged',
    tags: ['v1.0'],
    revisions: {
      main: files('{"v": 1}', firstOnly),
      dev: files('{"dev": 1}', secondOnly),
      'v1.0': files('{"v": 1}', firstOnly),
    },
  });
  const onTag = db.store.models.create({ name: 'org/tagged', revision: 'v1.0' });
  const onBranch = db.store.models.create({ name: 'org/tagged', revision: 'dev', repoType: 'dataset' });
  await download(onTag);
  assert.equal(db.store.models.get(onTag.id)!.tracking, false, 'the tag is pinned');
  assert.ok(hub.requests.some((request) => request.path === '/api/models/org/tagged/refs'));
  assert.deepEqual(
    db.store.models.trackedCompleted().map((model) => model.id),
    [],
    'a pinned model is never checked',
  );
  hub.addRepo({ id: 'org/tagged', type: 'dataset', revisions: { dev: files('{"dev": 1}', secondOnly) } });
  await download(onBranch);
  assert.equal(db.store.models.get(onBranch.id)!.tracking, true, 'a branch stays tracked');
});

test('a branch check goes the way hub.proxy says, as a download does, also in a runtime that has not downloaded yet', async () => {
  const proxy = await startProxy();
  try {
    db.store.config.set('hub.proxy', proxy.url);
    const model = db.store.models.create({ name: 'org/tracked' });
    const check = await checkTrackedModel(db.store, model, {
      runtime: new HubRuntime(),
      settings: settings(),
      token: null,
      env: {},
      retryBaseDelayMs: 1,
    });
    assert.equal(check.kind, 'moved');
    assert.deepEqual(proxy.log, [`GET ${hub.url}/api/models/org/tracked/revision/main`]);
  } finally {
    await proxy.close();
  }
});
