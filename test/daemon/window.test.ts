/**
 * The window test waits for a real minute boundary: a window end is an
 * HH:MM, so the shortest window closes at the next full minute. The test
 * picks the next boundary at least 12 s away (at most about 72 s).
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertValidSnapshot,
  createDaemonFixture,
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

function hhmm(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

describe('daemon: download windows', () => {
  test('a closing window pauses the running download, and the next window resumes it with a Range request', async () => {
    const weights = randomContent(2 * 1024 * 1024);
    const repo = { id: 'org/big', files: { 'config.json': '{}', 'model.safetensors': weights } };
    fixture = await createDaemonFixture([repo]);
    const f = fixture;
    const { sha256 } = f.hub.fileInfo(repo.id, 'main', 'model.safetensors');
    f.hub.addFault({ kind: 'throttle', bytesPerSecond: 24 * 1024, pathContains: sha256 });

    const now = Date.now();
    let boundary = Math.ceil(now / 60_000) * 60_000;
    if (boundary - now < 12_000) boundary += 60_000;
    const windowEnd = new Date(boundary);
    // Fires 3 s from now (the first window, until the boundary), and 5 s past each minute:
    // the first firing after the boundary opens the next window. The first firing repeats
    // each minute too, so it is never before second 5: at second 0 it would open the next
    // window at the boundary itself, before the pause could be seen.
    const first = Math.max(5, new Date(now + 3000).getSeconds());
    const seconds = [...new Set([first, 5])].sort((a, b) => a - b).join(',');
    const scheduleId = f.addSchedule(`${seconds} * * * * *`, 1, { windowEnd: hhmm(windowEnd) });
    f.startDaemon();

    const modelId = f.model(repo.id).id;
    await waitFor(() => f.db.store.downloads.history(modelId, { limit: 1 })[0]?.status === 'cancelled', {
      timeoutMs: boundary - Date.now() + 15_000,
      what: () =>
        `the window closing at ${hhmm(windowEnd)}: ${JSON.stringify(f.db.store.downloads.history(modelId, { limit: 3 }))}`,
    });
    const paused = f.db.store.downloads.history(modelId, { limit: 1 })[0]!;
    assert.ok(Date.now() >= boundary, 'not before the window end');
    // In the machine's zone (no scheduler.timezone), named.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(paused.errorMessage, `window closed at ${hhmm(windowEnd)} ${zone}`);
    assert.equal(paused.scheduleId, scheduleId);
    assert.ok(paused.completedAt !== null);
    const kept = partialSize(f.cacheDir, repo.id, sha256);
    assert.ok(kept > 0 && kept < weights.length, `the partial file stays (${kept} bytes)`);
    assert.ok(
      ['paused', 'downloading'].includes(f.model(repo.id).status),
      'paused until the next window (which may already have begun)',
    );

    f.hub.clearFaults();
    await waitFor(() => f.model(repo.id).status === 'completed', {
      timeoutMs: 20_000,
      what: 'the next window completing it',
    });
    const [resumed] = f.db.store.downloads.history(modelId, { limit: 1 });
    assert.equal(resumed?.status, 'completed');
    assert.equal(resumed?.scheduleId, scheduleId);
    const ranges = f.hub.requests
      .filter((request) => request.host === 'cdn' && request.path.includes(sha256) && request.range !== null)
      .map((request) => Number(/bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0));
    assert.ok(
      ranges.some((start) => start >= kept),
      `a Range request continued from the partial file (${kept} bytes); ranges seen: ${ranges.join(', ')}`,
    );
    assertValidSnapshot(f.cacheDir, repo, f.hub, f.model(repo.id).downloadPath);
  });
});
