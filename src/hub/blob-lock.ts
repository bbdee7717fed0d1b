/**
 * One writer per blob, across processes (a `pull` while the daemon runs) and
 * within one (two revisions downloading the same file): an exclusive create
 * of `.locks/models--org--name/{etag}.lock` holding the owner's pid, the path
 * huggingface_hub locks too. A lock whose pid is gone (a killed process) is
 * stale and taken over; an empty one, as Python's filelock leaves behind, too.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file, or null when it is unreadable or empty. */
async function lockOwner(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

export interface BlobLock {
  release(): Promise<void>;
}

/** Lock holders inside this process: another download of this process holds the file lock. */
const heldHere = new Set<string>();

/**
 * Creates the lock file with our pid already in it: written aside, then
 * hard-linked into place (atomic, fails if it exists), so no one ever reads
 * an empty lock of a live owner and mistakes it for a stale one.
 */
async function tryCreate(path: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(aside, `${process.pid}\n`);
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** Waits until this process owns the lock at `path`. `onWait` is called once if someone else holds it. */
export async function acquireBlobLock(path: string, signal?: AbortSignal, onWait?: (ownerPid: number) => void): Promise<BlobLock> {
  await mkdir(dirname(path), { recursive: true });
  let told = false;
  for (;;) {
    signal?.throwIfAborted();
    if (!heldHere.has(path)) {
      // Claimed in this process before the first await, so two downloads here never both try.
      heldHere.add(path);
      let created = false;
      try {
        created = await tryCreate(path);
      } finally {
        if (!created) heldHere.delete(path);
      }
      if (created) {
        return {
          release: async () => {
            if ((await lockOwner(path)) === process.pid) await unlink(path).catch(() => {});
            heldHere.delete(path);
          },
        };
      }
    }
    const owner = heldHere.has(path) ? process.pid : await lockOwner(path);
    if (owner === null || (owner !== process.pid && !isAlive(owner))) {
      await unlink(path).catch(() => {});
      continue;
    }
    if (!told) {
      onWait?.(owner);
      told = true;
    }
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}
