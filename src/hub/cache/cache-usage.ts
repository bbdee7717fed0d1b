/**
 * How many bytes repositories take in the cache, read from the disk (not the
 * database), so that it counts what is really there: complete blobs, partial
 * files (by the blocks they hold: a multi-connection partial file can be
 * sparse), whatever another client put there. Snapshots hold only links and
 * refs a few bytes, so `blobs/` is the repository's size.
 *
 * Used by the cache budget (cache.max_bytes, disk-gate.ts); a prune frees
 * what this counts. A blob that links into the shared blob store counts its
 * entry's bytes, once for all the repositories that link to it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { storeEntryOf } from './shared-blobs.js';

/**
 * Bytes under `{repoDir}/blobs`, adding each shared store entry a blob links
 * to (shared-blobs.ts) unless `seenEntries` has it: an entry is counted once,
 * however many repositories link to it. Links of any other shape count nothing.
 */
async function blobBytes(repoDir: string, seenEntries: Set<string>): Promise<number> {
  const blobsDir = join(repoDir, 'blobs');
  const names = await readdir(blobsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  let total = 0;
  for (const name of names) {
    const path = join(blobsDir, name);
    const stats = await lstat(path).catch(() => null);
    if (stats === null) continue;
    if (stats.isFile()) {
      total += name.endsWith('.incomplete') ? Math.min(stats.size, stats.blocks * 512) : stats.size;
      continue;
    }
    const entry = stats.isSymbolicLink() ? storeEntryOf(dirname(repoDir), path) : null;
    if (entry === null || seenEntries.has(entry)) continue;
    seenEntries.add(entry);
    total += (await lstat(entry).catch(() => null))?.size ?? 0;
  }
  return total;
}

/** Bytes under `{repoDir}/blobs` (shared store entries included); 0 when the repository has no folder yet. */
export function repoBytesOnDisk(repoDir: string): Promise<number> {
  return blobBytes(repoDir, new Set());
}

/** The total of repoBytesOnDisk over `repoDirs`, each repository and each shared store entry counted once. */
export async function reposBytesOnDisk(repoDirs: Iterable<string>): Promise<number> {
  const seenEntries = new Set<string>();
  let total = 0;
  for (const dir of new Set(repoDirs)) total += await blobBytes(dir, seenEntries);
  return total;
}
