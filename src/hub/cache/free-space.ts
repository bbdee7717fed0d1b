/**
 * Free space on the cache's file system. The
 * rule a download must meet before it starts is disk-gate.ts's.
 */
import { statfs } from 'node:fs/promises';

/** Bytes available to this (unprivileged) user on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}
