/**
 * Chaos at 50: two repositories pulled at once by `hfsched pull` processes
 * that are killed with SIGKILL 50 times in all, while the Hub drops
 * connections (FIN), resets them (RST) and answers 503. Each pull is killed
 * at a random moment once it has put new bytes on disk (so every life makes
 * progress), then started again, resuming from what the cache holds. At the end: every
 * file is there with the published bytes, no download session is left
 * open, and the Hub sent at most 1.1 times the repositories' size.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH, runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { assertValidSnapshot, randomContent, repoFolder, type RepoFiles } from '../daemon/daemon-fixture.js';
import { waitFor } from '../daemon/daemon-process.js';

const MiB = 1024 * 1024;
const KILLS = 50;
/** Slow enough that a kill lands right after a write; each life writes at least one 1 MiB batch. */
const BYTES_PER_SECOND = 1 * MiB;

const REPOS: RepoFiles[] = ['org/alpha', 'org/beta'].map((id) => ({
  id,
  files: {
    'config.json': `{"name": "${id}"}`,
    'model-00001-of-00002.safetensors': randomContent(22 * MiB + 12_345),
    'model-00002-of-00002.safetensors': randomContent(18 * MiB + 678),
    'tokenizer.model': randomContent(700 * 1024),
  },
}));
const TOTAL_BYTES = REPOS.reduce(
  (sum, repo) => sum + Object.values(repo.files).reduce((size, content) => size + Buffer.byteLength(content), 0),
  0,
);

/** Seeded (mulberry32), so a failing run's kill moments can be replayed on a quiet machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(50);

/** Bytes of the repository's blobs and partial files on disk now. */
function bytesOnDisk(cacheDir: string, repoId: string): number {
  const blobs = join(repoFolder(cacheDir, repoId), 'blobs');
  let entries: string[];
  try {
    entries = readdirSync(blobs);
  } catch {
    return 0;
  }
  let total = 0;
  for (const name of entries) total += lstatSync(join(blobs, name), { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

describe('hfsched pull under kill -9 chaos', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;

  beforeEach(async () => {
    hub = await startHubServer({
      repos: REPOS.map((repo) => ({
        id: repo.id,
        revisions: { main: Object.entries(repo.files).map(([path, content]) => ({ path, content })) },
      })),
    });
    db = createTempDatabase();
    cacheDir = join(db.dir, 'cache');
    db.store.config.set('download.min_free_bytes', '0');
    // One file at a time per pull: a kill then lands between two of its writes, not in the middle of others'.
    db.store.config.set('download.concurrent_files', '1');
    db.store.config.set('download.connections_per_file', '1');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  /** One life of `hfsched pull repoId`, killed soon after it grew the repository on disk; false if it finished first. */
  async function pullUntilProgressThenKill(repoId: string): Promise<boolean> {
    const before = bytesOnDisk(cacheDir, repoId);
    const child = spawn(process.execPath, [CLI_PATH, '--db', db.dbPath, 'pull', repoId], {
      env: { PATH: process.env.PATH ?? '', HOME: db.dir, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) =>
      child.on('close', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    await waitFor(() => exitCode !== undefined || bytesOnDisk(cacheDir, repoId) > before, {
      timeoutMs: 30_000,
      intervalMs: 5,
      what: `${repoId} to make progress`,
    });
    // Then at a random moment of the next few tenths of a second: wherever the pull is in its batch, its write, its retry.
    await sleep(random() * 400);
    if (exitCode !== undefined) {
      assert.equal(exitCode, 0, `a pull of ${repoId} that was not killed succeeds: ${stderr}`);
      return false;
    }
    child.kill('SIGKILL');
    await exited;
    return true;
  }

  test(`${KILLS} kills of two concurrent pulls, with drops, resets and 503s: nothing lost or corrupt, no session open, at most 1.1x the bytes`, async () => {
    hub.addFault({ kind: 'throttle', bytesPerSecond: BYTES_PER_SECOND });
    for (const [index, afterBytes] of [700_000, 1_900_000, 2_600_000, 3_300_000, 4_100_000].entries()) {
      hub.addFault({ kind: 'drop', afterBytes, times: 1, pathContains: index % 2 === 0 ? 'alpha' : 'beta' });
      hub.addFault({ kind: 'reset', afterBytes: afterBytes + 333_333, times: 1 });
      hub.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, times: 1, pathContains: '/resolve/' });
    }

    let kills = 0;
    // Two lanes, one per repository, each killing its own pull over and over.
    await Promise.all(
      REPOS.map(async (repo) => {
        // A kill is counted before the life starts, so the two lanes never exceed KILLS together.
        while (kills < KILLS) {
          kills += 1;
          if (!(await pullUntilProgressThenKill(repo.id))) {
            kills -= 1;
            break;
          }
        }
      }),
    );
    assert.equal(kills, KILLS, `${KILLS} pulls were killed mid-download (the repositories are large enough)`);

    hub.clearFaults();
    for (const repo of REPOS) {
      const result = await runCli(['pull', repo.id], {
        dbPath: db.dbPath,
        env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir },
      });
      assert.equal(result.code, 0, result.stderr);
    }

    for (const repo of REPOS) {
      const model = db.store.models.byName(repo.id)!;
      assertValidSnapshot(cacheDir, repo, hub, model.downloadPath);
      assert.equal(model.status, 'completed');
      const open = db.store.downloads.history(model.id).filter((session) => session.status === 'in_progress');
      assert.deepEqual(open, [], `no session of ${repo.id} is left open`);
    }
    const served = hub.requests
      // File bodies: from the CDN (LFS files) or the resolve URL (small files); listings are not counted.
      .filter((request) => request.host === 'cdn' || request.path.includes('/resolve/'))
      .filter((request) => request.status === 200 || request.status === 206)
      .reduce((sum, request) => sum + request.bodyBytesSent, 0);
    assert.ok(
      served <= 1.1 * TOTAL_BYTES,
      `the Hub sent ${served} bytes for ${TOTAL_BYTES} (${(served / TOTAL_BYTES).toFixed(3)}x) over ${KILLS} kills`,
    );
  });
});
