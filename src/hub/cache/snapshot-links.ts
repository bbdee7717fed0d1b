/**
 * The visible part of the cache: `snapshots/{commit}/{path}` as relative
 * symlinks to `blobs/{etag}`, and `refs/{revision}` holding the commit, as
 * huggingface_hub's _create_symlink and _cache_commit_hash_for_specific_revision
 * write them. Relative links keep the cache valid when it is moved or mounted
 * elsewhere (a container volume).
 */
import { readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import type { RepoCacheLayout } from './cache-layout.js';
import { fsyncDirectory, writeFileDurably } from './durable-files.js';
import { ensureRealDir } from './safe-paths.js';

/**
 * Points `snapshots/{commit}/{repoPath}` at `blobs/{etag}`, replacing a link
 * that points elsewhere. `createdFolders` remembers the folders made so far
 * (one snapshot has many files per folder), each checked to be a real
 * folder of the cache: the link names come from the repo, so a snapshot
 * folder planted as a link to `~/.ssh` must not receive `authorized_keys`.
 * `snapshotIsNew`: the snapshot folder was made by this download, so no link
 * can be there yet.
 */
export async function linkSnapshotFile(
  layout: RepoCacheLayout,
  commit: string,
  repoPath: string,
  etag: string,
  createdFolders: Set<string> = new Set(),
  snapshotIsNew = false,
): Promise<void> {
  const linkPath = layout.snapshotFilePath(commit, repoPath);
  const folder = dirname(linkPath);
  const target = blobTarget(repoPath, etag);
  // Synchronous, as the hub's other metadata calls (see blob-fetcher.ts).
  if (!createdFolders.has(folder)) {
    ensureRealDir(layout.cacheDir, folder);
    createdFolders.add(folder);
  }
  // In a snapshot that was there before, most links are too: reading one costs
  // less than failing to create it (an EEXIST exception per file).
  if (!snapshotIsNew && currentLink(linkPath) === target) return;
  try {
    symlinkSync(target, linkPath);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (currentLink(linkPath) === target) return;
  // Swap in a new link atomically, so a reader never sees the path missing.
  const temporary = `${linkPath}.hfsched-${process.pid}`;
  rmSync(temporary, { force: true });
  symlinkSync(target, temporary);
  renameSync(temporary, linkPath);
}

/**
 * `path.relative` from the link's folder to `blobs/{etag}`, without its cost
 * per file: up out of each folder of the repo path (checked by
 * assertSafeRepoPath: no empty, "." or ".." segment), the commit's and
 * `snapshots/`.
 */
function blobTarget(repoPath: string, etag: string): string {
  let ups = 2;
  for (let at = repoPath.indexOf('/'); at >= 0; at = repoPath.indexOf('/', at + 1)) ups += 1;
  return `${`..${sep}`.repeat(ups)}blobs${sep}${etag}`;
}

/** Where the link at `path` points; null when there is no link (nothing, or a file or folder in the way). */
function currentLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** Writes `refs/{revision}` = commit, with no trailing newline, atomically. */
export async function writeRef(layout: RepoCacheLayout, revision: string, commit: string): Promise<void> {
  const refPath = layout.refPath(revision);
  ensureRealDir(layout.cacheDir, dirname(refPath));
  // Durable before it appears: a ref pointing at a snapshot lost to a power cut would mislead readers.
  writeFileDurably(`${refPath}.hfsched-${process.pid}`, refPath, commit);
  fsyncDirectory(dirname(refPath));
}
