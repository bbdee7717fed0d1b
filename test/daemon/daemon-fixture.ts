/**
 * Everything an end-to-end daemon test needs: a fresh database, a temporary
 * Hugging Face cache, the test Hub server with the given repositories, the
 * environment pointing the daemon at them, and cleanup of all of it
 * (daemons still running are killed).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Model, ScheduleOptions } from '../../src/store/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startHubServer, type HubRepoSpec, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { startDaemon, type DaemonProcess } from './daemon-process.js';

export interface RepoFiles {
  id: string;
  files: Record<string, Buffer | string>;
}

export interface DaemonFixture {
  db: TempDatabase;
  cacheDir: string;
  hub: HubServer;
  env: Record<string, string>;
  /** Starts `hfsched daemon` on the fixture's database (killed at cleanup). */
  startDaemon(): DaemonProcess;
  /** Runs the CLI on the fixture's database with the fixture's environment. */
  cli(args: readonly string[]): Promise<CliResult>;
  /** A custom schedule firing on `cronPattern`, enabled. */
  addSchedule(cronPattern: string, maxConcurrent?: number, options?: Omit<ScheduleOptions, 'cronPattern'>): number;
  model(name: string): Model;
  cleanup(): Promise<void>;
}

/** Random bytes: every file has its own sha256, so CDN requests tell which file they fetch. */
export function randomContent(bytes: number): Buffer {
  return randomBytes(bytes);
}

export async function createDaemonFixture(repos: RepoFiles[]): Promise<DaemonFixture> {
  const db = createTempDatabase();
  const cacheDir = join(db.dir, 'hub-cache');
  mkdirSync(cacheDir);
  const specs: HubRepoSpec[] = repos.map((repo) => ({
    id: repo.id,
    revisions: { main: Object.entries(repo.files).map(([path, content]) => ({ path, content })) },
  }));
  const hub = await startHubServer({ repos: specs });
  for (const repo of repos) db.store.models.create({ name: repo.id });
  // Small disks in CI: the default 1 GiB of headroom is not what these tests are about.
  db.store.config.set('download.min_free_bytes', '0');
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir, HF_TOKEN: hub.token };
  const daemons: DaemonProcess[] = [];
  return {
    db,
    cacheDir,
    hub,
    env,
    startDaemon() {
      const daemon = startDaemon(db.dbPath, env);
      daemons.push(daemon);
      return daemon;
    },
    cli(args) {
      return runCli(args, { dbPath: db.dbPath, env });
    },
    addSchedule(cronPattern, maxConcurrent = 1, options = {}) {
      return db.store.schedules.create({
        name: 'test',
        type: 'custom',
        maxConcurrentDownloads: maxConcurrent,
        ...options,
        cronPattern,
      }).id;
    },
    model(name) {
      const model = db.store.models.byName(name);
      assert.ok(model, `model ${name} exists`);
      return model;
    },
    async cleanup() {
      await Promise.all(daemons.map((daemon) => daemon.kill()));
      await hub.close();
      db.cleanup();
    },
  };
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

/** The folder of a repo in the cache: models--org--name. */
export function repoFolder(cacheDir: string, repoId: string): string {
  return join(cacheDir, `models--${repoId.replace('/', '--')}`);
}

/** Asserts the standard cache layout for a completed model: refs/main, snapshot links, blob content. */
export function assertValidSnapshot(
  cacheDir: string,
  repo: RepoFiles,
  hub: HubServer,
  downloadPath: string | null,
): void {
  const commit = hub.commitOf(repo.id, 'main');
  const folder = repoFolder(cacheDir, repo.id);
  assert.equal(readFileSync(join(folder, 'refs', 'main'), 'utf8'), commit);
  assert.equal(downloadPath, join(folder, 'snapshots', commit));
  for (const [path, content] of Object.entries(repo.files)) {
    const link = join(folder, 'snapshots', commit, path);
    assert.ok(!readlinkSync(link).startsWith('/'), `${path} is a relative link`);
    assert.deepEqual(readFileSync(link), Buffer.from(content), `${path} has the published content`);
  }
  const leftovers = readdirSync(join(folder, 'blobs')).filter((name) => name.includes('.incomplete'));
  assert.deepEqual(leftovers, [], 'no partial files left');
}

/** Size of the partial file of a blob, or 0 when there is none. */
export function partialSize(cacheDir: string, repoId: string, etag: string): number {
  const path = join(repoFolder(cacheDir, repoId), 'blobs', `${etag}.incomplete`);
  return existsSync(path) ? statSync(path).size : 0;
}

/** Whether the blob is complete in the cache. */
export function hasBlob(cacheDir: string, repoId: string, etag: string): boolean {
  return existsSync(join(repoFolder(cacheDir, repoId), 'blobs', etag));
}
