/**
 * Refuses to start a download that cannot fit: the bytes still to fetch plus
 * `download.min_free_bytes` must be free on the cache's file system. Failing
 * before the first byte beats filling the disk at 97 %.
 */
import { statfs } from 'node:fs/promises';
import { ConstraintError } from '../errors.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes available to this (unprivileged) user on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}

export async function assertFreeSpace(
  dir: string,
  neededBytes: number,
  minFreeBytes: number,
  repoId: string,
): Promise<void> {
  if (neededBytes <= 0) return;
  const available = await freeBytes(dir);
  if (available >= neededBytes + minFreeBytes) return;
  throw new ConstraintError(
    `not enough free space in ${dir} for "${repoId}": it needs ${formatBytes(neededBytes)} more plus ${formatBytes(minFreeBytes)} kept free (download.min_free_bytes), and ${formatBytes(available)} is available; free some space or lower download.min_free_bytes`,
  );
}
