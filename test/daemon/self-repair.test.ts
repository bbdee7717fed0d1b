/**
 * No model stays `downloading` without a live owner: the end of a download is
 * written again when the database refuses it for a moment, and the daemon
 * ends the open sessions that no task runs any more.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { readSettings } from '../../src/config/settings.js';
import { repairAbandonedSessions } from '../../src/daemon/recovery.js';
import { downloadModel } from '../../src/download/download-model.js';
import { HubRuntime } from '../../src/hub/index.js';
import { ownerMetadata } from '../../src/download/download-owner.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase, useTestHub } from '../support/temp-db.js';

const silent = pino({ level: 'silent' });
let hub: HubServer;
let db: TempDatabase;

beforeEach(async () => {
  hub = await startHubServer({
    repos: [{ id: 'org/model', revisions: { main: [{ path: 'config.json', content: '{}' }] } }],
  });
  db = createTempDatabase();
  useTestHub(db, hub.url);
});
afterEach(async () => {
  db.cleanup();
  await hub.close();
});

test('the final write of a download is tried again while another connection holds the database', async () => {
  const store: Store = openStore(db.dbPath, { busyTimeoutMs: 50 });
  const other = new Database(db.dbPath);
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  try {
    const model = store.models.create({ name: 'org/model' });
    const outcome = await downloadModel(store, model, {
      scheduleId: null,
      settings: readSettings(store, {}),
      token: null,
      runtime: new HubRuntime(),
      env: {},
      logger,
      // The last file is in place: from now until the end write, the database is taken.
      onFileDone: () => {
        other.exec('BEGIN EXCLUSIVE');
        setTimeout(() => other.exec('COMMIT'), 700);
      },
    });
    assert.equal(outcome.status, 'completed');
    assert.equal(store.models.get(model.id)?.status, 'completed');
    assert.ok(
      lines.some((line) => line.includes('could not record the completed download; trying again')),
      lines.join(''),
    );
  } finally {
    other.close();
    store.close();
  }
});

test("the daemon ends its own open session that no task runs, and a dead process's, but not a running one", () => {
  const store = db.store;
  const orphan = store.models.create({ name: 'org/orphan' });
  const dead = store.models.create({ name: 'org/dead-owner' });
  const running = store.models.create({ name: 'org/running' });
  const orphanSession = store.downloads.begin({ modelId: orphan.id, scheduleId: null });
  store.downloads.recordProgress(orphanSession.id, { bytesDownloaded: 0, totalBytes: null, metadata: ownerMetadata() });
  const deadSession = store.downloads.begin({ modelId: dead.id, scheduleId: null });
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  store.downloads.recordProgress(deadSession.id, {
    bytesDownloaded: 0,
    totalBytes: null,
    metadata: { ownerPid: Number(gone.stdout), ownerHost: hostname() },
  });
  const runningSession = store.downloads.begin({ modelId: running.id, scheduleId: null });
  store.downloads.recordProgress(runningSession.id, {
    bytesDownloaded: 0,
    totalBytes: null,
    metadata: ownerMetadata(),
  });

  const ended = repairAbandonedSessions(store, silent, (modelId) => modelId === running.id);
  assert.deepEqual(ended.map((session) => session.id).sort(), [orphanSession.id, deadSession.id].sort());
  assert.equal(store.models.get(orphan.id)?.status, 'paused');
  assert.equal(store.models.get(dead.id)?.status, 'paused');
  assert.equal(store.downloads.getSession(orphanSession.id)?.errorMessage, 'interrupted');
  assert.equal(store.models.get(running.id)?.status, 'downloading');
  assert.deepEqual(
    repairAbandonedSessions(store, silent, (modelId) => modelId === running.id),
    [],
  );
});
