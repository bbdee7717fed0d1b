/**
 * One writer per blob, across processes (a `pull` while the daemon runs) and
 * within one (two revisions downloading the same file): an exclusive create
 * of `.locks/models--org--name/{etag}.lock` holding the owner's pid, the path
 * huggingface_hub locks too. A lock whose pid is gone (a killed process) is
 * stale and taken over; so is an empty one that is not brand new (as
 * Python's filelock leaves behind; a fresh empty one is a lock being written).
 * Callers create the locks folder once per snapshot.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from '../system/process-exists.js';

const POLL_MS = 200;
/** An empty lock file younger than this is one whose owner is still writing its pid. */
const EMPTY_LOCK_GRACE_MS = 5000;

export interface BlobLock {
  release(): Promise<void>;
}

/** Locks held by downloads of this process. */
const heldHere = new Set<string>();

/** Synchronous: three quick system calls, made for every file downloaded (see blob-fetcher.ts). */
function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Whether the lock at `path` (held by someone else) can be taken over, and by whom it is held. */
async function inspect(path: string): Promise<{ stale: boolean; owner: number | null }> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return { stale: true, owner: null }; // gone meanwhile: try again
  const pid = Number.parseInt(text.trim(), 10);
  if (Number.isSafeInteger(pid) && pid > 0) return { stale: pid !== process.pid && !processExists(pid), owner: pid };
  const age = await stat(path).then(
    (stats) => Date.now() - stats.mtimeMs,
    () => Infinity,
  );
  return { stale: age > EMPTY_LOCK_GRACE_MS, owner: null };
}

/** Waits until this process owns the lock at `path`. `onWait` is called once if someone else holds it. */
export async function acquireBlobLock(
  path: string,
  signal?: AbortSignal,
  onWait?: (ownerPid: number | null) => void,
): Promise<BlobLock> {
  let told = false;
  for (;;) {
    signal?.throwIfAborted();
    if (!heldHere.has(path)) {
      // Claimed in this process before the first await, so two downloads here never both try.
      heldHere.add(path);
      let created = false;
      try {
        created = tryCreate(path);
      } finally {
        if (!created) heldHere.delete(path);
      }
      if (created) {
        return {
          release: () => {
            rmSync(path, { force: true });
            heldHere.delete(path);
            return Promise.resolve();
          },
        };
      }
      const { stale, owner } = await inspect(path);
      if (stale) {
        await unlink(path).catch(() => {});
        continue;
      }
      if (!told) onWait?.(owner);
    } else if (!told) {
      onWait?.(process.pid);
    }
    told = true;
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}
