/**
 * Measurements of the benchmark beside the download races:
 * - the cost of durability: writing small files with and without fsync of
 *   each file and, once, of their folder, on tmpfs and on the disk the
 *   repository is on;
 * - the idle daemon: its CPU and how often it writes to its database, with
 *   one daily schedule and a few pending models, after it has settled.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const FSYNC_FILES = 200;
const FSYNC_FILE_BYTES = 32 * 1024;

/** Milliseconds per small file written aside and renamed, with or without fsync (each file, then the folder once). */
function writeFiles(folder: string, durable: boolean): number {
  mkdirSync(folder, { recursive: true });
  const data = Buffer.alloc(FSYNC_FILE_BYTES, 7);
  const started = performance.now();
  for (let index = 0; index < FSYNC_FILES; index++) {
    const aside = join(folder, `f${index}.tmp`);
    const fd = openSync(aside, 'w');
    writeSync(fd, data);
    if (durable) fsyncSync(fd);
    closeSync(fd);
    renameSync(aside, join(folder, `f${index}`));
  }
  if (durable) {
    // One folder fsync for the lot, as hfsched makes a snapshot's small blobs durable (snapshot-download.ts).
    const dir = openSync(folder, 'r');
    fsyncSync(dir);
    closeSync(dir);
  }
  const perFile = (performance.now() - started) / FSYNC_FILES;
  rmSync(folder, { recursive: true, force: true });
  return perFile;
}

export interface FsyncCost {
  where: string;
  plainMs: number;
  durableMs: number;
}

export function measureFsyncCost(folders: { where: string; folder: string }[]): FsyncCost[] {
  return folders.map(({ where, folder }) => ({
    where,
    plainMs: writeFiles(join(folder, 'fsync-plain'), false),
    durableMs: writeFiles(join(folder, 'fsync-durable'), true),
  }));
}

export interface IdleDaemon {
  seconds: number;
  cpuPercent: number;
  databaseWrites: number;
}

function cpuTicks(pid: number): number {
  // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 a second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Starts `hfsched daemon` on a fresh database, lets it settle, then watches it for `seconds`. */
export async function measureIdleDaemon(
  cliPath: string,
  folder: string,
  env: NodeJS.ProcessEnv,
  seconds: number,
): Promise<IdleDaemon> {
  mkdirSync(folder, { recursive: true });
  const db = join(folder, 'hfsched.db');
  const cli = (...args: string[]): void => {
    execFileSync(process.execPath, [cliPath, '--db', db, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  cli('init');
  cli('schedule', 'add', 'nightly', '--daily', '03:00', '--enable');
  for (let index = 0; index < 5; index++) cli('model', 'add', '--no-check', `bench/idle-model-${index}`); // no Hub behind the idle daemon
  const daemon = spawn(process.execPath, [cliPath, '--db', db, 'daemon'], { env, stdio: 'ignore' });
  try {
    const watcher = new Database(db, { readonly: true });
    try {
      // Settle 5 s after the daemon has registered (on a loaded machine its start alone can take seconds).
      const registered = watcher.prepare('SELECT 1 FROM daemon_status WHERE pid = ?');
      while (registered.get(daemon.pid) === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const version = (): number => watcher.pragma('data_version', { simple: true }) as number;
      let last = version();
      let writes = 0;
      const ticksBefore = cpuTicks(daemon.pid!);
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = version();
        if (now !== last) writes++;
        last = now;
      }
      const elapsed = (performance.now() - started) / 1000;
      const cpuSeconds = (cpuTicks(daemon.pid!) - ticksBefore) / 100;
      return { seconds: elapsed, cpuPercent: (cpuSeconds / elapsed) * 100, databaseWrites: writes };
    } finally {
      watcher.close();
    }
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    rmSync(folder, { recursive: true, force: true });
  }
}
