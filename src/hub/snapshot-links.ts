/**
 * The visible part of the cache: `snapshots/{commit}/{path}` as relative
 * symlinks to `blobs/{etag}`, and `refs/{revision}` holding the commit, as
 * huggingface_hub's _create_symlink and _cache_commit_hash_for_specific_revision
 * write them. Relative links keep the cache valid when it is moved or mounted
 * elsewhere (a container volume).
 */
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { RepoCacheLayout } from './cache-layout.js';

/**
 * Points `snapshots/{commit}/{repoPath}` at `blobs/{etag}`, replacing a link
 * that points elsewhere. `createdFolders` remembers the folders made so far
 * (one snapshot has many files per folder).
 */
export async function linkSnapshotFile(
  layout: RepoCacheLayout,
  commit: string,
  repoPath: string,
  etag: string,
  createdFolders: Set<string> = new Set(),
): Promise<void> {
  const linkPath = layout.snapshotFilePath(commit, repoPath);
  const folder = dirname(linkPath);
  const target = relative(folder, layout.blobPath(etag));
  if (!createdFolders.has(folder)) {
    await mkdir(folder, { recursive: true });
    createdFolders.add(folder);
  }
  try {
    await symlink(target, linkPath);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = await readlink(linkPath).catch(() => null);
  if (existing === target) return;
  // Swap in a new link atomically, so a reader never sees the path missing.
  const temporary = `${linkPath}.hfsched-${process.pid}`;
  await rm(temporary, { force: true });
  await symlink(target, temporary);
  await rename(temporary, linkPath);
}

/** Writes `refs/{revision}` = commit, with no trailing newline, atomically. */
export async function writeRef(layout: RepoCacheLayout, revision: string, commit: string): Promise<void> {
  const refPath = layout.refPath(revision);
  await mkdir(dirname(refPath), { recursive: true });
  const temporary = `${refPath}.hfsched-${process.pid}`;
  await writeFile(temporary, commit);
  await rename(temporary, refPath);
}
