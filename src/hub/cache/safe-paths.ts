/**
 * The cache is often shared, and group-writable: anyone who can write to it
 * can plant a symbolic link (or a hard link, a FIFO) where hfsched is about
 * to write, and make it write model bytes into a file outside the cache
 * (`blobs/{etag}.incomplete` -> `~/.profile`), create a file outside (a
 * dangling lock link), or create links in a folder outside
 * (`snapshots/{commit}` -> `~/.ssh`, with a repo file named
 * `authorized_keys`). Every write, creation and deletion in the cache goes
 * through these checks:
 * - folders: each one from the cache root down to the one written in must
 *   be a real folder (lstat), not a link to one; missing ones are created
 *   one at a time, and checked again after (someone may have won the race);
 * - files: opened with O_NOFOLLOW (a link in the last component fails with
 *   ELOOP) and O_NONBLOCK (a FIFO cannot block the open), then fstat must
 *   say a regular file, with one name when it is about to be written.
 *
 * The only links hfsched follows are the layout's own: a snapshot file ->
 * `../../blobs/{etag}` (never followed for a write: links are replaced, not
 * written through), and a blob -> the shared store
 * (`{cache}/blobs/{xx}/{xet hash}`, see sharedStoreEntryOf below).
 *
 * The cache root itself is trusted as configured (it may well be a link to
 * a bigger disk): only the user who sets hub.cache_dir can change it.
 *
 * What this cannot close: a neighbour who swaps a checked folder for a link
 * in the instant between the check and the use (Node has no openat(2)). The
 * sticky bit on the shared folders closes it (docs/security.md).
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnsafeCacheError } from '../errors.js';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY, O_RDONLY } = constants;

/** What is at `path`, without following a link; undefined when nothing. */
function lstatOrNone(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

function describe(stats: Stats, path: string): string {
  if (stats.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(path);
    } catch {
      // Gone meanwhile: the message still names the path.
    }
    return `a symbolic link (to ${target})`;
  }
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFile() && stats.nlink > 1) return `a file with ${stats.nlink} hard links`;
  return 'not what the cache layout puts there';
}

/** The one-line refusal: what was found where, and what to do. */
export function refuse(path: string, found: string, expected: string): UnsafeCacheError {
  return new UnsafeCacheError(
    `refusing to use ${path}: it is ${found} where the cache layout has ${expected}; someone who can write to the cache put it there, so nothing was written through it: remove it and check who can write to the cache (docs/security.md)`,
  );
}

/** The folders from just below `root` down to `dir`; refuses a `dir` that is not under `root`. */
function foldersBelow(root: string, dir: string): string[] {
  const rel = relative(root, dir);
  if (rel === '') return [];
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new UnsafeCacheError(`refusing to write to ${dir}: it is outside the cache ${root}`);
  }
  const folders: string[] = [];
  let current = root;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    folders.push(current);
  }
  return folders;
}

function assertRealFolder(path: string, stats: Stats): void {
  if (!stats.isDirectory()) throw refuse(path, describe(stats, path), 'a folder');
}

/**
 * Makes `dir` and every folder between `root` and it exist as real folders,
 * creating the missing ones. Refuses (UnsafeCacheError) when one of them is
 * a link or anything but a folder. True when `dir` itself was created.
 */
export function ensureRealDir(root: string, dir: string): boolean {
  mkdirSync(root, { recursive: true });
  let created = false;
  for (const folder of foldersBelow(root, dir)) {
    created = false;
    let stats = lstatOrNone(folder);
    if (stats === undefined) {
      try {
        mkdirSync(folder);
        created = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // Whoever made it (us, or someone a moment before), it must be a real folder now.
      stats = lstatSync(folder);
    }
    assertRealFolder(folder, stats);
  }
  return created;
}

/**
 * Checks, without creating anything, that `dir` and every folder between
 * `root` and it are real folders. False when one of them does not exist
 * (there is nothing to delete there); refuses a link or a file in the way.
 */
export function realDirExists(root: string, dir: string): boolean {
  for (const folder of foldersBelow(root, dir)) {
    const stats = lstatOrNone(folder);
    if (stats === undefined) return false;
    assertRealFolder(folder, stats);
  }
  return true;
}

/**
 * Opens a file of the cache without following a link in its last component,
 * and without blocking on a FIFO; refuses anything but a regular file. With
 * `forWriting`, also a file with other names (a hard link planted to a file
 * outside the cache would be written through). Its folder must have been
 * checked (ensureRealDir / realDirExists).
 */
export function openCacheFile(path: string, flags: number, options: { mode?: number; forWriting: boolean }): number {
  let fd: number;
  try {
    fd = openSync(path, flags | O_NOFOLLOW | O_NONBLOCK, options.mode ?? 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') {
      const stats = lstatOrNone(path);
      throw refuse(path, stats === undefined ? `not a file (${code})` : describe(stats, path), 'a file');
    }
    throw error;
  }
  // O_CREAT | O_EXCL made a new regular file with this one name, or failed (even on a dangling link):
  // nothing to check, and a model of thousands of small files skips an fstat per file.
  if ((flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0) return fd;
  const stats = fstatSync(fd);
  if (!stats.isFile() || (options.forWriting && stats.nlink > 1)) {
    closeSync(fd);
    throw refuse(path, describe(stats, path), 'a file');
  }
  return fd;
}

/** Opens a folder of the cache for fsync(2), refusing a link. */
export function openCacheFolder(path: string): number {
  try {
    return openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      const stats = lstatOrNone(path);
      throw refuse(path, stats === undefined ? 'not a folder' : describe(stats, path), 'a folder');
    }
    throw error;
  }
}

/**
 * What is at `path` when it must be a regular file of the cache (a partial
 * file, a blob written by us): undefined when nothing; refuses a link, a
 * FIFO, a device, a folder, or a file with other names.
 */
export function cacheFileStats(path: string, expected: string): Stats | undefined {
  const stats = lstatOrNone(path);
  if (stats === undefined) return undefined;
  if (!stats.isFile() || stats.nlink > 1) throw refuse(path, describe(stats, path), expected);
  return stats;
}

/** A Xet hash: 32 bytes in hex, the name of a shared store entry. */
const XET_HASH = /^[0-9a-f]{64}$/;

/**
 * The one rule for which blob link is followed. A repo's `blobs/{etag}` may
 * be a relative link into the shared store that huggingface_hub keeps at the
 * cache root: `{cache}/blobs/{first 2 hex}/{xet hash}`, a regular file in
 * real folders. Returns that entry's path when `blobLink` is exactly such a
 * link, null otherwise (the caller refuses the link). The shared store's own
 * module builds on this; nothing else decides which blob links to follow.
 */
export function sharedStoreEntryOf(cacheDir: string, blobLink: string): string | null {
  let target: string;
  try {
    target = readlinkSync(blobLink);
  } catch {
    return null;
  }
  if (isAbsolute(target)) return null;
  const entry = resolve(dirname(blobLink), target);
  const storeDir = join(cacheDir, 'blobs');
  const rel = relative(storeDir, entry).split(sep);
  if (rel.length !== 2) return null;
  const [prefix, hash] = rel as [string, string];
  if (!XET_HASH.test(hash) || prefix !== hash.slice(0, 2)) return null;
  try {
    if (!realDirExists(cacheDir, join(storeDir, prefix))) return null;
  } catch {
    return null;
  }
  const stats = lstatOrNone(entry);
  return stats !== undefined && stats.isFile() ? entry : null;
}

/**
 * What `blobs/{etag}` holds, following only a link into the shared store:
 * the stats of the bytes (the blob itself or its store entry), undefined
 * when there is none. Refuses any other link, and anything but a file.
 */
export function blobStats(cacheDir: string, blobPath: string): Stats | undefined {
  const stats = lstatOrNone(blobPath);
  if (stats === undefined) return undefined;
  if (stats.isFile()) return stats;
  if (stats.isSymbolicLink()) {
    const entry = sharedStoreEntryOf(cacheDir, blobPath);
    if (entry !== null) return lstatSync(entry);
  }
  throw refuse(
    blobPath,
    describe(stats, blobPath),
    'a blob (a file, or a link into the shared store blobs/{xx}/{xet hash})',
  );
}
