import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertValidSnapshot,
  createDaemonFixture,
  hasBlob,
  partialSize,
  randomContent,
  type DaemonFixture,
} from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

describe('daemon: crash recovery', () => {
  test('after kill -9 the next start records the interrupted session and resumes without fetching verified bytes again', async () => {
    const repo = {
      id: 'org/crashy',
      files: { 'small.safetensors': randomContent(64 * 1024), 'large.safetensors': randomContent(3 * 1024 * 1024) },
    };
    fixture = await createDaemonFixture([repo]);
    const f = fixture;
    const small = f.hub.fileInfo(repo.id, 'main', 'small.safetensors').sha256;
    const large = f.hub.fileInfo(repo.id, 'main', 'large.safetensors').sha256;
    // The Hub client writes in 1 MiB batches: wait for the first one on disk, then kill.
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 384 * 1024, pathContains: large });
    f.addSchedule('*/2 * * * * *', 1);
    const modelId = f.model(repo.id).id;

    const first = f.startDaemon();
    await waitFor(() => hasBlob(f.cacheDir, repo.id, small) && partialSize(f.cacheDir, repo.id, large) >= 1024 * 1024, {
      timeoutMs: 20_000,
      what: 'the small file complete and the large one partly on disk',
    });
    const interrupted = f.db.store.downloads.history(modelId, { limit: 1 })[0]!;
    first.child.kill('SIGKILL');
    await first.exited;
    const kept = partialSize(f.cacheDir, repo.id, large);
    assert.equal(f.model(repo.id).status, 'downloading', 'kill -9 left the model downloading');
    assert.notEqual(f.db.store.daemon.status(), null, 'and its registration behind');

    f.hub.clearFaults();
    f.hub.clearLog();
    const second = f.startDaemon();
    await second.waitForLog(
      (line) => line.msg.startsWith('interrupted download recorded as failed') && line.session === interrupted.id,
    );
    await waitFor(() => f.model(repo.id).status === 'completed', { timeoutMs: 20_000, what: 'the resumed download' });

    const [last, recovered] = f.db.store.downloads.history(modelId, { limit: 2 });
    assert.equal(recovered?.id, interrupted.id);
    assert.equal(recovered?.status, 'failed');
    assert.equal(recovered?.errorMessage, 'interrupted');
    assert.equal(last?.status, 'completed');
    const cdnRequests = f.hub.requests.filter((request) => request.host === 'cdn' && request.method === 'GET');
    assert.ok(
      !cdnRequests.some((request) => request.path.includes(small)),
      'the verified small file is not fetched again',
    );
    const largeRequests = cdnRequests.filter((request) => request.path.includes(large));
    assert.ok(largeRequests.length > 0);
    const start = Number(/bytes=(\d+)-/.exec(largeRequests[0]?.range ?? '')?.[1] ?? 0);
    assert.ok(start >= kept, `the large file continues from its partial bytes (Range from ${start}, ${kept} kept)`);
    assertValidSnapshot(f.cacheDir, repo, f.hub, f.model(repo.id).downloadPath);
  });
});
