/**
 * Where a download of a blob continues: `blobs/{etag}.incomplete` is always
 * a contiguous prefix of the blob (blob-sink.ts writes only in order), so its
 * length is the resume point, the rule huggingface_hub follows too
 * (file_download.py, `_download_to_tmp_and_move`: it appends from the
 * partial file's size). Either client may thus continue the other's file.
 *
 * Older hfsched versions wrote chunks out of order and recorded them in
 * `{etag}.incomplete.ranges`; such a file is cut back to its contiguous
 * prefix the first time it is seen.
 */
import { closeSync, constants, ftruncateSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { cacheFileStats, openCacheFile } from './safe-paths.js';

/**
 * Synchronous, as the hub's other metadata calls (see blob-fetcher.ts).
 * Never through a link: a planted one is refused (safe-paths.ts).
 */
function fileSize(path: string): number | null {
  return cacheFileStats(path, 'a partial download')?.size ?? null;
}

function truncateCacheFile(path: string, length: number): void {
  const fd = openCacheFile(path, constants.O_WRONLY, { forWriting: true });
  try {
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

/** The contiguous bytes a ranges file of an older hfsched vouches for; 0 when it cannot be read. */
function legacyContiguousBytes(rangesPath: string, size: number): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(rangesPath, 'utf8'));
  } catch {
    return 0;
  }
  const {
    size: savedSize,
    chunkSize,
    done,
  } = (parsed ?? {}) as { size?: unknown; chunkSize?: unknown; done?: unknown };
  if (savedSize !== size || typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < 1)
    return 0;
  if (!Array.isArray(done)) return 0;
  let total = 0;
  for (let index = 0; index < done.length; index += 1) {
    const length = Math.min(chunkSize, size - index * chunkSize);
    const bytes: unknown = done[index];
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) return total;
    total += Math.min(bytes, length);
    if (bytes < length) break;
  }
  return total;
}

/**
 * The number of bytes of `.incomplete` to keep and continue from, for a blob
 * of `size` bytes; 0 when there is none. Leftovers that cannot be right are
 * removed (a file longer than the blob), and a legacy ranges file's partial
 * file is cut back to its contiguous prefix.
 */
export function resumablePrefix(incompletePath: string, rangesPath: string, size: number): number {
  const onDisk = fileSize(incompletePath);
  const hasRanges = fileSize(rangesPath) !== null;
  if (onDisk === null) {
    if (hasRanges) rmSync(rangesPath, { force: true });
    return 0;
  }
  let prefix = onDisk;
  if (hasRanges) {
    prefix = Math.min(onDisk, legacyContiguousBytes(rangesPath, size));
    truncateCacheFile(incompletePath, prefix);
    rmSync(rangesPath, { force: true });
  }
  if (prefix > size) {
    discardPartial(incompletePath, rangesPath);
    return 0;
  }
  return prefix;
}

export function discardPartial(incompletePath: string, rangesPath: string): void {
  rmSync(incompletePath, { force: true });
  rmSync(rangesPath, { force: true });
}

/**
 * After a failed or paused try, under the blob's lock: a partial file that
 * holds no byte goes (nothing is lost), so a download that failed before its
 * first byte leaves nothing in the repo (repo-folders.ts removes the folders).
 */
export function discardEmptyPartial(incompletePath: string, rangesPath: string): void {
  try {
    const stats = lstatSync(incompletePath, { throwIfNoEntry: false });
    if (stats?.isFile() === true && stats.size === 0) discardPartial(incompletePath, rangesPath);
  } catch {
    // Kept: the try's own failure is what the caller reports.
  }
}
