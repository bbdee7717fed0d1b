/**
 * Durability before visibility: a blob, ref or snapshot link may only appear
 * under its final name once its bytes are on disk, or a power loss could
 * leave a complete-looking file of zeros (ext4 and XFS may persist a rename
 * before the data: https://lwn.net/Articles/322823/). So: write, fsync the
 * file, rename, then fsync the folder so that the rename itself survives.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** fsync(2) on a folder: makes the names created or renamed in it durable. */
export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `aside`, fsyncs it and renames it to `target` (the caller fsyncs the folder). */
export function writeFileDurably(aside: string, target: string, data: Uint8Array | string): void {
  try {
    const fd = openSync(aside, 'w');
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
