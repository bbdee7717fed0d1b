import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub, type TempDatabase } from '../support/temp-db.js';

let hub: HubServer;
let db: TempDatabase;
before(async () => {
  const files = Array.from({ length: 24 }, (_, index) => ({
    path: `shards/part-${String(index).padStart(2, '0')}.safetensors`,
    content: randomBytes(256 * 1024),
  }));
  hub = await startHubServer({
    repos: [
      {
        id: 'org/sharded',
        revisions: { main: [...files, { path: 'big.safetensors', content: randomBytes(8 * 1024 * 1024) }] },
      },
    ],
  });
  db = createTempDatabase();
  useTestHub(db, hub.url);
  db.store.config.set('download.bandwidth_limit', String(8 * 1024 * 1024));
  db.store.config.set('download.multipart_threshold_bytes', String(1024 * 1024));
  db.store.config.set('download.connections_per_file', '8');
});
after(async () => {
  db.cleanup();
  await hub.close();
});

test('a throttled pull of many files prints no MaxListenersExceededWarning', async () => {
  const result = await runCli(['pull', 'org/sharded'], { dbPath: db.dbPath, timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /MaxListenersExceededWarning/);
});
