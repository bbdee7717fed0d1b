/**
 * How many files of one model download at once (file-pool.ts): 8 at first
 * (16 when every file is of a MiB or more), more while that raises the total
 * rate (a per-connection cap, as CDNs have, on files too small to split),
 * never more than download.concurrent_files nor the snapshot's 16
 * connections, and fewer after the server pushes back. Counted from the test
 * Hub's own log of when each response started and ended, or the pull's log.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { FILES_TO_START, FilePool } from '../../src/hub/transfer/file-pool.js';
import { ConnectionBudget } from '../../src/hub/transfer/lane-controller.js';
import type { LoggedRequest } from '../support/hub-server.js';
import { createHubFixture, patternBytes, type HubFixture } from './fixtures.js';

const KiB = 1024;
const FILES = 64;
const files = Array.from({ length: FILES }, (_, index) => ({
  path: `shards/part-${String(index).padStart(3, '0')}.bin`,
  content: patternBytes(256 * KiB),
}));
let fx: HubFixture;

const MiB = 1024 * KiB;
const large = Array.from({ length: 24 }, (_, index) => ({
  path: `large/part-${String(index).padStart(3, '0')}.bin`,
  content: patternBytes(MiB),
}));
const mixed = Array.from({ length: 48 }, (_, index) => ({
  path: `mixed/part-${String(index).padStart(3, '0')}.bin`,
  content: patternBytes(index < 4 ? 3 * MiB : 512 * KiB),
}));

before(async () => {
  fx = await createHubFixture([
    { id: 'org/shards', revisions: { main: files } },
    { id: 'org/mixed', revisions: { main: mixed } },
    { id: 'org/large-files', revisions: { main: large } },
  ]);
});
after(() => fx.cleanup());

/** The most file responses (CDN bodies) the server was sending at one moment. */
function mostAtOnce(requests: LoggedRequest[]): number {
  const bodies = requests.filter((request) => request.host === 'cdn' && request.bodyBytesSent > 0);
  let most = 0;
  for (const { receivedAt } of bodies) {
    const open = bodies.filter((other) => other.receivedAt <= receivedAt && (other.endedAt ?? Infinity) > receivedAt);
    most = Math.max(most, open.length);
  }
  return most;
}

async function pullUnderCap(concurrentFiles: number): Promise<number> {
  fx.hub.clearLog();
  // 1 MiB/s per response: each file takes a quarter of a second, whatever else runs.
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 1024 * KiB, pathContains: '.bin' });
  try {
    const result = await fx.pull('org/shards', { concurrentFiles });
    for (const file of [files[0]!, files[FILES - 1]!]) {
      assert.deepEqual(readFileSync(join(result.snapshotPath, file.path)), file.content);
    }
  } finally {
    fx.hub.clearFaults();
    const { rmSync } = await import('node:fs');
    rmSync(join(fx.cacheDir, 'models--org--shards'), { recursive: true, force: true });
    // The shared store too: the next pull must fetch the shards, not link them.
    rmSync(join(fx.cacheDir, 'blobs'), { recursive: true, force: true });
  }
  return mostAtOnce(fx.hub.requests);
}

test('under a per-connection cap, files too small to split run more at a time than the 8 it starts with', async () => {
  const most = await pullUnderCap(16);
  assert.ok(most > FILES_TO_START && most <= 16, `${most} files at once`);
});

test('a snapshot never has more than 16 connections to the CDN, its files and their lanes together', async () => {
  // 48 files, of which 4 large enough to split into lanes, under the cap: files and lanes both want more.
  fx.hub.clearLog();
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 1024 * KiB, pathContains: '.bin' });
  try {
    const result = await fx.pull('org/mixed', {
      concurrentFiles: 32,
      connectionsPerFile: 16,
      multipartThresholdBytes: 2 * MiB,
    });
    assert.deepEqual(readFileSync(join(result.snapshotPath, mixed[0]!.path)), mixed[0]!.content);
  } finally {
    fx.hub.clearFaults();
  }
  const most = mostAtOnce(fx.hub.requests);
  assert.ok(most > FILES_TO_START && most <= 16, `${most} connections at once`);
});

test("files of a MiB or more run 16 at once with concurrent_files at 64: never more than the snapshot's connections", async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const result = await fx.pull('org/large-files', { concurrentFiles: 64, logger });
  assert.deepEqual(readFileSync(join(result.snapshotPath, large[23]!.path)), large[23]!.content);
  const logged = lines.map((line) => JSON.parse(line) as { msg: string; files?: number });
  assert.equal(logged.find((entry) => entry.msg === 'most files downloaded at once')?.files, 16);
  assert.ok(mostAtOnce(fx.hub.requests) <= 16);
});

test('a pool told to start with 16 files runs 16 at once from the start, before any verdict', async () => {
  let running = 0;
  let most = 0;
  const pool = new FilePool(
    Array.from({ length: 40 }, (_, index) => index),
    async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(20);
      running -= 1;
    },
    { maxFiles: 16, receivedBytes: () => 0, connections: new ConnectionBudget(16), startWith: 16 },
  );
  const done = pool.run(() => {});
  await sleep(2);
  assert.equal(running, 16);
  await done;
  assert.equal(most, 16);
});

test('download.concurrent_files caps the files at a time', async () => {
  assert.equal(await pullUnderCap(2), 2);
});

test('after the server pushes back (backOff), fewer files start at a time', async () => {
  let running = 0;
  const startedWith: number[] = [];
  let backedOff = false;
  const pool = new FilePool(
    Array.from({ length: 24 }, (_, index) => index),
    async () => {
      running += 1;
      startedWith.push(backedOff ? running : 0);
      await sleep(10);
      running -= 1;
    },
    { maxFiles: 4, receivedBytes: () => 0, connections: new ConnectionBudget(16) },
  );
  const done = pool.run(() => {});
  await sleep(2);
  assert.equal(running, 4, 'four files at first');
  backedOff = true;
  pool.backOff();
  await done;
  const after = startedWith.filter((count) => count > 0);
  assert.ok(
    after.length > 0 && after.every((count) => count <= 2),
    `files at once after the back-off: ${after.join(', ')}`,
  );
});
