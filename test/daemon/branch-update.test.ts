import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDaemonFixture, randomContent, repoFolder, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('the daemon follows a moved branch: it fetches only the new blobs, moves refs/main and keeps two snapshots', async () => {
  const shared = randomContent(128 * 1024);
  fixture = await createDaemonFixture([
    {
      id: 'org/live',
      files: { 'config.json': '{"v": 1}', 'shared.safetensors': shared, 'old.safetensors': randomContent(64 * 1024) },
    },
  ]);
  const f = fixture;
  f.addSchedule('*/2 * * * * *');
  const daemon = f.startDaemon();
  await waitFor(() => f.model('org/live').status === 'completed', { timeoutMs: 20_000, what: 'first download' });
  const first = f.hub.commitOf('org/live', 'main');

  const fresh = randomContent(96 * 1024);
  const second = f.hub.moveBranch('org/live', 'main', [
    { path: 'config.json', content: '{"v": 2}' },
    { path: 'shared.safetensors', content: shared },
    { path: 'new.safetensors', content: fresh },
  ]);
  f.hub.clearLog();
  await waitFor(() => f.model('org/live').currentCommit === second && f.model('org/live').status === 'completed', {
    timeoutMs: 20_000,
    what: 'the update to the moved branch',
  });

  const folder = repoFolder(f.cacheDir, 'org/live');
  assert.equal(readFileSync(join(folder, 'refs', 'main'), 'utf8'), second);
  const cdnBlobs = f.hub.requests.filter((request) => request.host === 'cdn' && request.status === 200);
  assert.equal(cdnBlobs.length, 1, 'one LFS blob fetched');
  assert.ok(cdnBlobs[0]!.path.includes(f.hub.fileInfo('org/live', 'main', 'new.safetensors').sha256));
  assert.deepEqual(readdirSync(join(folder, 'snapshots')).sort(), [first, second].sort());
  const [update] = f.db.store.downloads.history(f.model('org/live').id, { limit: 1 });
  assert.equal(update!.metadata?.fromCommit, first);
  assert.equal(update!.metadata?.fetchedBytes, fresh.length + '{"v": 2}'.length);
  assert.ok(daemon.logs.some((line) => line.msg === 'tracked model queued for a branch check'));
  assert.ok(daemon.logs.some((line) => line.msg === 'branch moved; updating' && line.to === second));
});
