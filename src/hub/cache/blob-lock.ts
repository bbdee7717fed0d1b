/**
 * One writer per blob, across processes and across clients: an exclusive
 * flock(2) on `.locks/models--org--name/{etag}.lock`, the same file and the
 * same OS lock as huggingface_hub, whose `WeakFileLock` is Python's
 * `filelock.UnixFileLock`: open (create if absent), `flock(fd, LOCK_EX |
 * LOCK_NB)` polled, and on release `LOCK_UN` and close, leaving the file on
 * disk (https://github.com/tox-dev/filelock/blob/main/src/filelock/_unix.py).
 *
 * The kernel drops the lock when its holder dies, so a crashed or killed
 * process never leaves a lock behind and there is no pid to guess. The file is
 * never deleted: deleting a lock file another process holds (or is about to
 * lock) would let a third open a new file and lock it too. Two downloads of
 * this process exclude each other as well, since each opens its own file
 * description. The lock is tried without blocking, so the event loop never
 * waits on it; a wait has a limit and is logged with who holds the lock.
 */
import { closeSync, constants, fstatSync, lstatSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { flockSync } from 'fs-ext';
import { describeHolder, flockHolder } from '../../system/flock-holder.js';
import { DownloadError } from '../errors.js';
import { openCacheFile } from './safe-paths.js';

/** As filelock's poll interval (0.05 s) would be wasteful for waits of minutes; 100 ms costs nothing. */
const POLL_MS = 100;
/** A wait is logged again this often, as huggingface_hub's WeakFileLock does ("Still waiting ..."). */
const STILL_WAITING_EVERY_MS = 60_000;
/** Long enough for another client to finish a large file; after it, the download fails and is tried again later. */
export const DEFAULT_LOCK_WAIT_LIMIT_MS = 2 * 60 * 60 * 1000;

export interface BlobLock {
  release(): Promise<void>;
}

export interface BlobLockOptions {
  /** Give up (DownloadError) after waiting this long; default DEFAULT_LOCK_WAIT_LIMIT_MS. */
  waitLimitMs?: number;
  /** Called once a minute while the wait goes on (the first call when it starts), with who holds the lock. */
  onStillWaiting?: (holder: string, waitedMs: number) => void;
}

/**
 * Opens (creating it if needed, without truncating) and tries to lock; the
 * fd when locked, null when held elsewhere. A link planted in its place is
 * refused, not followed: it would create or lock a file outside the cache.
 */
function tryLock(path: string): number | null {
  const fd = openCacheFile(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, {
    mode: 0o644,
    forWriting: false,
  });
  try {
    flockSync(fd, 'exnb');
  } catch (error) {
    closeSync(fd);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return null;
    if (code === 'ENOLCK' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      throw new DownloadError(
        `the file system of ${path} does not support flock(2) locks, which hfsched and huggingface_hub use to share the cache; put the cache on a local file system (see docs/sharing-the-cache.md)`,
      );
    }
    throw error;
  }
  // Locked a file that was deleted meanwhile (an older hfsched deleted its lock files): it guards nothing.
  const current = lstatSync(path, { throwIfNoEntry: false });
  if (fstatSync(fd).nlink === 0 || current === undefined || current.ino !== fstatSync(fd).ino) {
    flockSync(fd, 'un');
    closeSync(fd);
    return tryLock(path);
  }
  return fd;
}

/**
 * Waits until this process holds the lock at `path` (its folder must exist).
 * `onWait` is called once when someone else holds it, with their pid when
 * /proc/locks tells it.
 */
export async function acquireBlobLock(
  path: string,
  signal?: AbortSignal,
  onWait?: (ownerPid: number | null) => void,
  options: BlobLockOptions = {},
): Promise<BlobLock> {
  const limitMs = options.waitLimitMs ?? DEFAULT_LOCK_WAIT_LIMIT_MS;
  const startedAt = performance.now();
  let lastToldAt = -Infinity;
  for (;;) {
    signal?.throwIfAborted();
    const fd = tryLock(path);
    if (fd !== null) {
      let released = false;
      return {
        release: () => {
          if (released) return Promise.resolve();
          released = true;
          // Unlock before close, as filelock does; the file stays (see above).
          try {
            flockSync(fd, 'un');
          } finally {
            closeSync(fd);
          }
          return Promise.resolve();
        },
      };
    }
    const waitedMs = performance.now() - startedAt;
    if (lastToldAt === -Infinity) onWait?.(flockHolder(path)?.pid ?? null);
    if (waitedMs - lastToldAt >= STILL_WAITING_EVERY_MS) {
      lastToldAt = waitedMs;
      options.onStillWaiting?.(describeHolder(flockHolder(path)), waitedMs);
    }
    if (waitedMs >= limitMs) {
      throw new DownloadError(
        `${describeHolder(flockHolder(path))} has held the lock ${path} for over ${Math.round(waitedMs / 1000)} s while downloading the same file; hfsched gave up waiting and tries again at the next run`,
      );
    }
    await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
  }
}
