/**
 * Durability before visibility: a blob, ref or snapshot link may only appear
 * under its final name once its bytes are on disk, or a power loss could
 * leave a complete-looking file of zeros (ext4 and XFS may persist a rename
 * before the data: https://lwn.net/Articles/322823/). So: write, fsync the
 * file, rename, then fsync the folder so that the rename itself survives.
 */
import { closeSync, constants, fsyncSync, renameSync, rmSync, writeSync } from 'node:fs';
import { openCacheFile, openCacheFolder } from './safe-paths.js';

const { O_WRONLY, O_CREAT, O_EXCL } = constants;

/** fsync(2) on a folder: makes the names created or renamed in it durable. */
export function fsyncDirectory(path: string): void {
  const fd = openCacheFolder(path);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A new file at `aside`, never an existing one: an aside name can be
 * guessed (it holds our pid), so a link planted under it must not be written
 * through. One left by an earlier life of this pid is removed first.
 */
function createAside(aside: string): number {
  try {
    return openCacheFile(aside, O_WRONLY | O_CREAT | O_EXCL, { forWriting: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  rmSync(aside, { force: true });
  return openCacheFile(aside, O_WRONLY | O_CREAT | O_EXCL, { forWriting: true });
}

/**
 * Writes `data` to `aside`, fsyncs it and renames it to `target` (the caller
 * fsyncs the folder, and has checked that it is a real one: safe-paths.ts).
 */
export function writeFileDurably(aside: string, target: string, data: Uint8Array | string): void {
  try {
    const fd = createAside(aside);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(aside, target);
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}
