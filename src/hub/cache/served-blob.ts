/**
 * Opening a repo's blob to serve its bytes (src/serve/): `blobs/{etag}` as a
 * regular file, or as the relative symlink of the official client's shared
 * blob store (`../../blobs/{xx}/{xet}`, in a store marked by
 * `blobs/.huggingface-shared-blobs`; huggingface_hub's `_shared_blobs.py`).
 * No other link is followed, and the file actually opened must lie inside
 * the cache: a blob that leads anywhere else is answered as missing.
 */
import { constants, lstatSync, readlinkSync, realpathSync, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { RepoCacheLayout } from './cache-layout.js';
import { isValidEtag, type HubRepoType } from '../repo-paths.js';

/** The marker of a shared blob store; an unmarked `blobs/` is never followed into. */
export const SHARED_STORE_MARKER = '.huggingface-shared-blobs';
/** The only link a repo blob may be: into the shared store, the entry named by its own first two characters. */
const SHARED_LINK = /^\.\.\/\.\.\/blobs\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

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
  if (!stats.isSymbolicLink()) return null;
  const match = SHARED_LINK.exec(readlinkSync(path));
  if (match === null || match[2]!.slice(0, 2) !== match[1]) return null;
  const store = join(request.cacheDir, 'blobs');
  if (!existsSync(join(store, SHARED_STORE_MARKER))) return null;
  return join(store, match[1]!, match[2]!);
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
