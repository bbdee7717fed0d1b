import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DownloadQueue, type QueuedModel } from '../../src/daemon/download-queue.js';
import { waitFor } from './daemon-process.js';

/** A download that runs until released or aborted, recording what happened. */
function controllableDownloads() {
  const started: string[] = [];
  const aborted: { model: string; reason: unknown }[] = [];
  const releases = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const runDownload = (model: QueuedModel, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      started.push(model.name);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const finish = (): void => {
        running -= 1;
        resolve();
      };
      releases.set(model.name, finish);
      signal.addEventListener('abort', () => {
        aborted.push({ model: model.name, reason: signal.reason });
        finish();
      });
    });
  return {
    started,
    aborted,
    release: (name: string) => releases.get(name)?.(),
    maxRunning: () => maxRunning,
    runDownload,
  };
}

const model = (id: number): QueuedModel => ({ id, name: `org/m${id}` });

describe('download queue', () => {
  test('never runs more downloads at once than its concurrency', async () => {
    const downloads = controllableDownloads();
    const queue = new DownloadQueue({
      concurrency: 2,
      runDownload: downloads.runDownload,
      onUnexpectedError: () => {},
    });
    for (const id of [1, 2, 3, 4]) queue.enqueue(model(id));
    await waitFor(() => downloads.started.length === 2);
    assert.deepEqual(downloads.started, ['org/m1', 'org/m2']);
    downloads.release('org/m1');
    await waitFor(() => downloads.started.length === 3);
    assert.equal(downloads.started[2], 'org/m3', 'oldest waiting model starts first');
    downloads.release('org/m2');
    downloads.release('org/m3');
    await waitFor(() => downloads.started.length === 4);
    downloads.release('org/m4');
    await queue.settled();
    assert.equal(downloads.maxRunning(), 2);
  });

  test('refuses a model that is already waiting or running', async () => {
    const downloads = controllableDownloads();
    const queue = new DownloadQueue({
      concurrency: 1,
      runDownload: downloads.runDownload,
      onUnexpectedError: () => {},
    });
    assert.equal(queue.enqueue(model(1)), true);
    assert.equal(queue.enqueue(model(2)), true);
    await waitFor(() => queue.isRunning(1));
    assert.equal(queue.enqueue(model(1)), false, 'running');
    assert.equal(queue.enqueue(model(2)), false, 'waiting');
    queue.abortAll('test over');
    queue.clearWaiting();
    await queue.settled();
  });

  test('a higher concurrency set while waiting starts more downloads at once', async () => {
    const downloads = controllableDownloads();
    const queue = new DownloadQueue({
      concurrency: 1,
      runDownload: downloads.runDownload,
      onUnexpectedError: () => {},
    });
    for (const id of [1, 2, 3]) queue.enqueue(model(id));
    await waitFor(() => downloads.started.length === 1);
    queue.concurrency = 3;
    await waitFor(() => downloads.started.length === 3);
    queue.abortAll('test over');
    await queue.settled();
  });

  test('aborting gives the running download the reason, and a removed waiting model never starts', async () => {
    const downloads = controllableDownloads();
    const queue = new DownloadQueue({
      concurrency: 1,
      runDownload: downloads.runDownload,
      onUnexpectedError: () => {},
    });
    queue.enqueue(model(1));
    queue.enqueue(model(2));
    queue.enqueue(model(3));
    await waitFor(() => queue.isRunning(1));
    assert.equal(queue.removeWaiting(2), true);
    assert.equal(queue.abort(1, 'window closed at 06:00'), true);
    await waitFor(() => downloads.started.length === 2);
    assert.deepEqual(downloads.started, ['org/m1', 'org/m3']);
    assert.deepEqual(downloads.aborted, [{ model: 'org/m1', reason: 'window closed at 06:00' }]);
    downloads.release('org/m3');
    await queue.settled();
    assert.equal(queue.isIdle(), true);
  });

  test('a download that throws is reported and frees its slot', async () => {
    const errors: string[] = [];
    const queue = new DownloadQueue({
      concurrency: 1,
      runDownload: async (queued) => {
        if (queued.id === 1) throw new Error('boom');
      },
      onUnexpectedError: (queued, error) => errors.push(`${queued.name}: ${(error as Error).message}`),
    });
    queue.enqueue(model(1));
    queue.enqueue(model(2));
    await waitFor(() => queue.isIdle());
    assert.deepEqual(errors, ['org/m1: boom']);
  });
});
