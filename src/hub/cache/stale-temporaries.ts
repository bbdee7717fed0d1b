/**
 * Temporaries a killed or crashed hfsched left in a repository's cache
 * folder: `blobs/{etag}.{pid}.{random}.tmp` (a small blob written aside
 * before its rename) and `*.hfsched-{pid}` (a link or ref written aside, under
 * `snapshots/` and `refs/`). Each name holds the pid of its writer; one whose
 * process is gone, or that this very process left in an earlier life (the
 * same pid after a container restart: older than this process), is removed
 * when a download of the repository starts. Readers never see these names;
 * they only waste space, or clutter a snapshot folder.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processExists } from '../../system/process-exists.js';
import { realDirExists } from './safe-paths.js';

const TEMPORARY_NAMES = [/\.hfsched-(\d+)$/, /\.(\d+)\.[a-z0-9]+\.tmp$/];
const STARTED_AT_MS = Date.now() - process.uptime() * 1000;

function writerPid(name: string): number | null {
  for (const pattern of TEMPORARY_NAMES) {
    const match = pattern.exec(name);
    if (match !== null) return Number(match[1]);
  }
  return null;
}

async function isStale(path: string, pid: number): Promise<boolean> {
  if (pid !== process.pid) return !processExists(pid);
  const stats = await lstat(path).catch(() => null);
  return stats !== null && stats.mtimeMs < STARTED_AT_MS;
}

async function sweep(dir: string, removed: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await sweep(path, removed);
      continue;
    }
    const pid = writerPid(entry.name);
    if (pid !== null && (await isStale(path, pid))) {
      await rm(path, { force: true });
      removed.push(path);
    }
  }
}

/**
 * Removes the stale temporaries under `repoDir`'s blobs, refs and snapshots;
 * returns their paths. Each of the three must be a real folder of the cache
 * `cacheDir` (safe-paths.ts): a `refs` link to a home folder would otherwise
 * have that home's look-alike names removed. The sweep itself never follows
 * a link (readdir's entry types are those of the names, not of targets).
 */
export async function removeStaleTemporaries(cacheDir: string, repoDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const folder of ['blobs', 'refs', 'snapshots']) {
    const path = join(repoDir, folder);
    if (realDirExists(cacheDir, path)) await sweep(path, removed);
  }
  return removed;
}
