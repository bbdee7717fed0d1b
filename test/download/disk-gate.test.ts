/**
 * The disk gate on a real small file system (a tmpfs mounted by the test, as
 * root) and the cache budget: a download that does not fit never fetches a
 * byte and says why, in its session (status, model show, history read it)
 * and in `hfsched status`; it goes once space appears or the budget is raised.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readSettings } from '../../src/config/settings.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { downloadModel, type DownloadModelOutcome } from '../../src/download/download-model.js';
import { HubRuntime } from '../../src/hub/index.js';
import { waitingFor } from '../../src/download/space-wait.js';
import type { Model } from '../../src/store/types.js';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { pythonScanCorruptions } from '../support/official-scan.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const first = Buffer.alloc(8 * MiB, 1);
const second = Buffer.alloc(8 * MiB, 2);
let hub: HubServer;
let db: TempDatabase;
let cacheDir: string;
/** Aborted after each test, so that a download still waiting for space never outlives a failed test. */
let stopAll: AbortController;
/** One per test, as one per daemon: its downloads reserve at the same disk gate, which the metrics read. */
let runtime: HubRuntime;

beforeEach(async () => {
  runtime = new HubRuntime();
  hub = await startHubServer({
    repos: [
      { id: 'org/first', revisions: { main: [{ path: 'model.safetensors', content: first }] } },
      { id: 'org/second', revisions: { main: [{ path: 'model.safetensors', content: second }] } },
    ],
  });
  stopAll = new AbortController();
  db = createTempDatabase();
  cacheDir = join(db.dir, 'cache');
  mkdirSync(cacheDir);
  db.store.config.set('hub.endpoint', hub.url);
  db.store.config.set('hub.cache_dir', cacheDir);
  db.store.config.set('download.min_free_bytes', '0');
});
afterEach(async () => {
  stopAll.abort('test over');
  await sleep(50);
  spawnSync('umount', [cacheDir]);
  db.cleanup();
  await hub.close();
});

function download(model: Model, signal: AbortSignal = stopAll.signal): Promise<DownloadModelOutcome> {
  return downloadModel(db.store, model, {
    scheduleId: null,
    settings: readSettings(db.store, {}),
    token: null,
    runtime,
    env: {},
    signal,
  });
}

function bytesSentFor(repo: string): number {
  return hub.requests
    .filter(
      (request) =>
        request.host === 'cdn' && request.path.includes(hub.fileInfo(repo, 'main', 'model.safetensors').sha256),
    )
    .reduce((sum, request) => sum + request.bodyBytesSent, 0);
}

async function waitUntilWaiting(model: Model): Promise<string> {
  for (let tries = 0; tries < 800; tries += 1) {
    const session = db.store.downloads.history(model.id, { limit: 1 })[0];
    const reason = session === undefined ? null : waitingFor(session);
    if (reason !== null) return reason;
    await sleep(25);
  }
  throw new Error(`${model.name} never said it waits`);
}

/** org/first downloaded, then org/second started under a 12 MiB budget: it waits. */
async function secondWaitingForBudget(
  signal?: AbortSignal,
): Promise<{ b: Model; done: Promise<DownloadModelOutcome>; reason: string }> {
  const a = db.store.models.create({ name: 'org/first' });
  assert.equal((await download(a)).status, 'completed');
  db.store.config.set('cache.max_bytes', '12MiB');
  const b = db.store.models.create({ name: 'org/second' });
  const done = download(b, signal);
  return { b, done, reason: await waitUntilWaiting(b) };
}

test(
  'on a full disk, of two downloads started together one completes and the other never starts and says why, until space appears',
  { skip: isRoot ? false : 'mounting a tmpfs needs root', timeout: 60_000 },
  async () => {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', cacheDir]);
    assert.equal(mounted.status, 0, mounted.stderr.toString());
    const filler = join(cacheDir, 'someone-elses-file');
    writeFileSync(filler, Buffer.alloc(6 * MiB, 9));
    hub.addFault({ kind: 'throttle', bytesPerSecond: 16 * MiB, pathContains: 'safetensors' });

    const a = db.store.models.create({ name: 'org/first' });
    const b = db.store.models.create({ name: 'org/second' });
    const firstDone = download(a);
    await sleep(50);
    const secondDone = download(b);
    const reason = await waitUntilWaiting(b);
    assert.match(reason, /^waiting for [\d.]+ [KMG]iB of free disk: needs 8\.0 MiB/);

    const shown = await runCli(['status', '--json'], { dbPath: db.dbPath });
    const report = JSON.parse(shown.stdout) as { running: Array<{ model: string; waitingFor: string | null }> };
    assert.match(report.running.find((entry) => entry.model === 'org/second')?.waitingFor ?? '', /of free disk/);

    assert.equal((await firstDone).status, 'completed');
    await sleep(300);
    assert.equal(bytesSentFor('org/second'), 0, 'the waiting download fetched nothing');
    assert.equal(db.store.downloads.history(b.id, { limit: 1 })[0]?.retryCount, 0, 'a wait for space is not a retry');

    rmSync(filler);
    const outcome = await secondDone;
    assert.equal(outcome.status, 'completed');
    const session = db.store.downloads.history(b.id, { limit: 1 })[0]!;
    assert.equal(waitingFor(session), null);
    assert.match(String(session.metadata?.waitedFor), /of free disk/);
    const history = await runCli(['history', 'org/second'], { dbPath: db.dbPath });
    assert.match(history.stdout, /waited \(for [\d.]+ [KMG]iB of free disk/);
  },
);

test(
  'a download that would take the managed repos over cache.max_bytes waits, and goes when the budget is raised',
  { timeout: 60_000 },
  async () => {
    const { done, reason } = await secondWaitingForBudget();
    assert.match(
      reason,
      /^waiting: cache budget: 8\.0 MiB more would bring the managed repos to 16\.0 MiB \(8\.0 MiB on disk\)/,
    );
    const metrics = new DaemonMetrics(
      {
        modelCountsByStatus: () => db.store.models.countByStatus(),
        activeDownloads: () => 1,
        queueLength: () => 0,
        nextRunAt: () => null,
      },
      runtime,
    );
    assert.match(await metrics.text(), /^hfsched_downloads_waiting_for_space\{reason="budget"\} 1$/m);
    const shown = await runCli(['model', 'show', 'org/second'], { dbPath: db.dbPath });
    assert.match(shown.stdout, /Waiting: +waiting: cache budget/);
    assert.equal(bytesSentFor('org/second'), 0);
    assert.equal(existsSync(join(cacheDir, 'models--org--second')), false, 'no folder for a repo that waits');
    assert.deepEqual(pythonScanCorruptions(cacheDir), []);

    db.store.config.set('cache.max_bytes', '32MiB');
    assert.equal((await done).status, 'completed');
    assert.deepEqual(
      readFileSync(
        join(cacheDir, 'models--org--second', 'blobs', hub.fileInfo('org/second', 'main', 'model.safetensors').sha256),
      ),
      second,
    );
  },
);

test(
  'a repo that waits for the budget, then pauses or fails before its first byte, leaves no folder: the rule of huggingface_hub scan_cache_dir holds',
  { timeout: 60_000 },
  async () => {
    const paused = new AbortController();
    const { b, done } = await secondWaitingForBudget(paused.signal);
    paused.abort('window closed');
    assert.equal((await done).status, 'paused');
    assert.equal(existsSync(join(cacheDir, 'models--org--second')), false);

    // The budget allows it now, but the CDN refuses the file: nothing was written, nothing stays.
    db.store.config.set('cache.max_bytes', '0');
    db.store.config.set('download.max_retries', '0');
    hub.addFault({ kind: 'status', status: 404, pathContains: 'safetensors' });
    const failed = await download(db.store.models.get(b.id)!);
    assert.equal(failed.status, 'failed');
    assert.equal(existsSync(join(cacheDir, 'models--org--second')), false);
    assert.deepEqual(pythonScanCorruptions(cacheDir), []);
    // The repo another download filled is left as it is.
    assert.ok(existsSync(join(cacheDir, 'models--org--first', 'snapshots')));
  },
);

test(
  'a pull whose files can never fit cache.max_bytes exits 1 at once with the figures and what to do, fetches nothing and leaves no folder (huggingface_hub scan_cache_dir rule)',
  { timeout: 60_000 },
  async () => {
    db.store.config.set('cache.max_bytes', '4MiB');
    const result = await runCli(['pull', 'org/first'], { dbPath: db.dbPath });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr.split('\n').at(-2),
      'hfsched: "org/first" at main (1 file) needs 8.0 MiB in the cache, more than cache.max_bytes 4.0 MiB (the managed repos use 0 B now): ' +
        'it can never fit, so it does not wait; raise cache.max_bytes (hfsched config set cache.max_bytes SIZE) or select fewer files (--exclude); ' +
        'pruning (hfsched cache prune) cannot free enough; the scheduler leaves org/first alone until: hfsched model retry org/first',
    );
    assert.equal(bytesSentFor('org/first'), 0);
    assert.equal(existsSync(join(cacheDir, 'models--org--first')), false);
    assert.deepEqual(pythonScanCorruptions(cacheDir), []);
    const model = db.store.models.byName('org/first')!;
    assert.equal(model.status, 'failed');
    assert.equal(db.store.downloads.history(model.id, { limit: 1 })[0]?.metadata?.heldUntilRetry, true);

    // Once the budget allows it, the same pull goes.
    db.store.config.set('cache.max_bytes', '9MiB');
    const fits = await runCli(['pull', 'org/first'], { dbPath: db.dbPath });
    assert.equal(fits.code, 0, fits.stderr);
  },
);
