/**
 * Opening a repo's blob to serve its bytes (src/serve/): `blobs/{etag}` as a
 * regular file, or as the relative symlink of the official client's shared
 * blob store (`../../blobs/{xx}/{xet}`, the one link shape shared-blobs.ts
 * accepts; huggingface_hub's `_shared_blobs.py`).
 * No other link is followed, and the file actually opened must lie inside
 * the cache: a blob that leads anywhere else is answered as missing.
 */
import { constants, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { sep } from 'node:path';
import { RepoCacheLayout } from './cache-layout.js';
import { storeEntryOf } from './shared-blobs.js';
import { isValidEtag, type HubRepoType } from '../repo-paths.js';

export interface OpenedBlob {
  handle: FileHandle;
  size: number;
}

export interface ServedBlobRequest {
  cacheDir: string;
  repoId: string;
  repoType: HubRepoType;
  etag: string;
}

/** Where the bytes of `blobs/{etag}` are, following only a shared-store link; null when there is nothing to serve. */
function blobTarget(request: ServedBlobRequest): string | null {
  const lfs = request.etag.length === 64;
  if (!isValidEtag(request.etag, lfs)) return null;
  const path = new RepoCacheLayout(request.cacheDir, request.repoId, request.repoType).blobPath(request.etag);
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return null;
  if (stats.isFile()) return path;
  // The one rule for which link is followed (shared-blobs.ts, safe-paths.ts): into the marked shared store.
  return stats.isSymbolicLink() ? storeEntryOf(request.cacheDir, path) : null;
}

/** The path of an open file descriptor as the kernel has it (Linux), or null where that is not available. */
function openedPath(handle: FileHandle): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${handle.fd}`);
  } catch {
    return null;
  }
}

/**
 * Opens the blob for reading (never following a final symlink), or null when
 * it is missing, not a regular file, or outside the cache. The caller closes
 * the handle (a read stream created on it does).
 */
export async function openServedBlob(request: ServedBlobRequest): Promise<OpenedBlob | null> {
  const target = blobTarget(request);
  if (target === null) return null;
  let handle: FileHandle;
  try {
    handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    const cacheRoot = realpathSync(request.cacheDir);
    // Folders on the way (the repo folder, blobs/, the store) may be links themselves: judge where the file really is.
    const real = openedPath(handle) ?? realpathSync(target);
    if (stats.isFile() && real.startsWith(cacheRoot + sep)) return { handle, size: stats.size };
  } catch {
    // Unreadable or gone: answered as missing.
  }
  await handle.close();
  return null;
}
