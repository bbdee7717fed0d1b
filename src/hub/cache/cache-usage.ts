/**
 * How many bytes repositories take in the cache, read from the disk (not the
 * database), so that it counts what is really there: complete blobs, partial
 * files (by the blocks they hold: a multi-connection partial file can be
 * sparse), whatever another client put there. Snapshots hold only links and
 * refs a few bytes, so `blobs/` is the repository's size.
 *
 * Used by the cache budget (cache.max_bytes, disk-gate.ts); a prune frees
 * what this counts.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes under `{repoDir}/blobs`; 0 when the repository has no folder yet. */
export async function repoBytesOnDisk(repoDir: string): Promise<number> {
  const blobsDir = join(repoDir, 'blobs');
  const names = await readdir(blobsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  let total = 0;
  for (const name of names) {
    const stats = await stat(join(blobsDir, name)).catch(() => null);
    if (stats === null || !stats.isFile()) continue;
    total += name.endsWith('.incomplete') ? Math.min(stats.size, stats.blocks * 512) : stats.size;
  }
  return total;
}

/** The total of repoBytesOnDisk over `repoDirs` (each counted once). */
export async function reposBytesOnDisk(repoDirs: Iterable<string>): Promise<number> {
  let total = 0;
  for (const dir of new Set(repoDirs)) total += await repoBytesOnDisk(dir);
  return total;
}
