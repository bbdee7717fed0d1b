import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubServer } from '../support/hub-server.js';
import { createDaemonFixture, randomContent, type DaemonFixture, type RepoFiles } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

const FILE_BYTES = 48 * 1024;

function repos(count: number): RepoFiles[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `org/model-${index}`,
    files: { 'model.safetensors': randomContent(FILE_BYTES) },
  }));
}

/** Repos whose weights the server is sending right now (a CDN response still short of its bytes). */
function modelsDownloadingAtServer(hub: HubServer, all: RepoFiles[]): Set<string> {
  const active = new Set<string>();
  for (const repo of all) {
    const { sha256, size } = hub.fileInfo(repo.id, 'main', 'model.safetensors');
    for (const request of hub.requests) {
      if (request.host !== 'cdn' || request.method !== 'GET' || !request.path.includes(sha256)) continue;
      const start = Number(/bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0);
      if (
        (request.status === 0 || request.status === 200 || request.status === 206) &&
        request.bodyBytesSent < size - start
      ) {
        active.add(repo.id);
      }
    }
  }
  return active;
}

/** Samples the server until every model completed; returns the most models it saw downloading at once. */
async function peakConcurrency(f: DaemonFixture, all: RepoFiles[]): Promise<number> {
  let peak = 0;
  await waitFor(
    () => {
      peak = Math.max(peak, modelsDownloadingAtServer(f.hub, all).size);
      const downloading = f.db.store.models.byStatus('downloading').length;
      peak = Math.max(peak, downloading);
      return all.every((repo) => f.model(repo.id).status === 'completed');
    },
    { timeoutMs: 40_000, intervalMs: 50, what: () => `all completed; peak so far ${peak}` },
  );
  return peak;
}

describe('daemon: concurrency', () => {
  test("the server never sees more models downloading at once than the schedule's max_concurrent_downloads", async () => {
    const all = repos(4);
    fixture = await createDaemonFixture(all);
    const f = fixture;
    // About 1.5 s per model: long enough for downloads to overlap.
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 32 * 1024 });
    f.addSchedule('*/2 * * * * *', 2);
    f.startDaemon();
    assert.equal(await peakConcurrency(f, all), 2, 'two at a time: the cap is reached and never passed');
  });

  test('a concurrency raised with the CLI while the daemon runs applies without a restart', async () => {
    const all = repos(3);
    fixture = await createDaemonFixture(all);
    const f = fixture;
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 8 * 1024 });
    const scheduleId = f.addSchedule('*/2 * * * * *', 1);
    const daemon = f.startDaemon();
    await waitFor(() => modelsDownloadingAtServer(f.hub, all).size === 1, {
      timeoutMs: 15_000,
      what: 'the first download',
    });
    assert.equal(f.db.store.models.byStatus('downloading').length, 1, 'one at a time before the change');
    const set = await f.cli(['schedule', 'set', String(scheduleId), '--max-concurrent', '3']);
    assert.equal(set.code, 0, set.stderr);
    await waitFor(() => modelsDownloadingAtServer(f.hub, all).size === 3, {
      timeoutMs: 10_000,
      what: 'three models downloading at once after the change',
    });
    await daemon.waitForLog((line) => line.msg === 'concurrency changed' && line.maxConcurrentDownloads === 3);
  });
});
