/**
 * Frees the space of superseded revisions of one repository: keeps its
 * `keepRevisions` newest snapshots (the current commit always first), and
 * removes the older snapshot folders, the refs pointing at them, and every
 * blob no kept snapshot links to. Partial files (`.incomplete`) and files it
 * does not recognise are never touched. A blob is deleted only under its
 * lock (`.locks/…/{etag}.lock`, which the official clients take while they
 * write it); a blob whose lock is busy is left for the next prune.
 *
 * Order matters for readers: refs go first (no ref ever names a missing
 * snapshot), then snapshots (no link ever dangles), then blobs.
 */
import { lstatSync, readlinkSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireBlobLock } from './blob-lock.js';
import { RepoCacheLayout } from './cache-layout.js';
import { entriesOf, listSnapshots, readRefs, type ManagedRepo } from './cache-inventory.js';
import { isValidEtag } from '../repo-paths.js';
import { ensureRealDir, realDirExists } from './safe-paths.js';

/** How long prune waits for a blob's lock before leaving the blob for next time. */
const LOCK_WAIT_MS = 2000;

export interface PruneRequest extends ManagedRepo {
  cacheDir: string;
  /** Snapshots to keep, at least 1. */
  keepRevisions: number;
  /** Always kept, whatever its age; null when unknown. */
  currentCommit: string | null;
  /** Plan only: report what would go, remove nothing. */
  dryRun: boolean;
}

export interface PruneResult extends ManagedRepo {
  keptSnapshots: string[];
  removedSnapshots: string[];
  removedRefs: string[];
  removedBlobs: number;
  /** Bytes of the blobs removed (or that would be, in a dry run). */
  freedBytes: number;
  /** Blobs left because their lock was busy. */
  busyBlobs: number;
}

/** Names of the blobs the snapshot's links point at (links that leave `blobs/` are ignored). */
function linkedBlobs(snapshotDir: string, blobsDir: string, into: Set<string>): void {
  for (const entry of entriesOf(snapshotDir)) {
    const path = join(snapshotDir, entry.name);
    if (entry.isDirectory()) linkedBlobs(path, blobsDir, into);
    else if (entry.isSymbolicLink()) {
      const target = resolve(dirname(path), readlinkSync(path));
      if (dirname(target) === blobsDir) into.add(basename(target));
    }
  }
}

/** The snapshots to keep: the current commit, then the newest others, `keep` in all. */
function chooseKept(commits: string[], currentCommit: string | null, keep: number): Set<string> {
  const ordered =
    currentCommit !== null && commits.includes(currentCommit)
      ? [currentCommit, ...commits.filter((commit) => commit !== currentCommit)]
      : commits;
  return new Set(ordered.slice(0, Math.max(1, keep)));
}

/** Deletes `blobs/{etag}` under its lock; false when the lock stayed busy. */
async function removeBlobUnderLock(layout: RepoCacheLayout, etag: string): Promise<boolean> {
  ensureRealDir(layout.cacheDir, layout.locksDir);
  let lock;
  try {
    lock = await acquireBlobLock(layout.lockPath(etag), AbortSignal.timeout(LOCK_WAIT_MS));
  } catch {
    return false;
  }
  try {
    rmSync(layout.blobPath(etag), { force: true });
    return true;
  } finally {
    await lock.release();
  }
}

/** Removes a blob that failed verification, under its lock, so that the next run fetches it again. */
export async function discardBlob(cacheDir: string, repo: ManagedRepo, etag: string): Promise<boolean> {
  const layout = new RepoCacheLayout(cacheDir, repo.repoId, repo.repoType);
  if (!realDirExists(cacheDir, layout.blobsDir)) return true;
  return removeBlobUnderLock(layout, etag);
}

/** Size of a blob about to be removed, never through a link. */
function blobBytes(path: string): number {
  return lstatSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Before anything is removed: the folders prune reads its lists from, and
 * deletes in, are real folders of the cache. Through a `snapshots` link to
 * a home folder, "the older snapshot folders" would be that home's folders.
 */
function assertRealRepoFolders(layout: RepoCacheLayout): void {
  for (const folder of [layout.refsDir, layout.snapshotsDir, layout.blobsDir, join(layout.repoDir, '.no_exist')])
    realDirExists(layout.cacheDir, folder);
}

export async function pruneRepo(request: PruneRequest): Promise<PruneResult> {
  const layout = new RepoCacheLayout(request.cacheDir, request.repoId, request.repoType);
  assertRealRepoFolders(layout);
  const refs = readRefs(layout);
  const snapshots = listSnapshots(layout, refs);
  const kept = chooseKept(
    snapshots.map((snapshot) => snapshot.commit),
    request.currentCommit,
    request.keepRevisions,
  );
  const removedSnapshots = snapshots.map((snapshot) => snapshot.commit).filter((commit) => !kept.has(commit));
  const removedRefs = Object.entries(refs)
    .filter(([, commit]) => !kept.has(commit) && removedSnapshots.includes(commit))
    .map(([name]) => name);
  const keptBlobs = new Set<string>();
  for (const commit of kept) linkedBlobs(layout.snapshotDir(commit), layout.blobsDir, keptBlobs);
  const doomedBlobs = entriesOf(layout.blobsDir)
    .filter((entry) => entry.isFile() && !keptBlobs.has(entry.name))
    .map((entry) => entry.name)
    // Only complete blobs, named by their hash: never partial files or anything unknown.
    .filter((name) => isValidEtag(name, true) || isValidEtag(name, false));

  const result: PruneResult = {
    repoId: request.repoId,
    repoType: request.repoType,
    keptSnapshots: [...kept],
    removedSnapshots,
    removedRefs,
    removedBlobs: 0,
    freedBytes: 0,
    busyBlobs: 0,
  };
  if (request.dryRun) {
    result.removedBlobs = doomedBlobs.length;
    result.freedBytes = doomedBlobs.reduce((sum, etag) => sum + blobBytes(layout.blobPath(etag)), 0);
    return result;
  }
  for (const name of removedRefs) rmSync(layout.refPath(name), { force: true });
  for (const commit of removedSnapshots) {
    rmSync(layout.snapshotDir(commit), { recursive: true, force: true });
    // huggingface_hub's markers of files absent at that commit go with it.
    rmSync(join(layout.repoDir, '.no_exist', commit), { recursive: true, force: true });
  }
  for (const etag of doomedBlobs) {
    const size = blobBytes(layout.blobPath(etag));
    if (await removeBlobUnderLock(layout, etag)) {
      result.removedBlobs += 1;
      result.freedBytes += size;
    } else {
      result.busyBlobs += 1;
    }
  }
  return result;
}

/**
 * Removes the repository's whole folder (`model remove --purge`). Its lock
 * files stay: another process may hold one, and deleting a held lock file
 * lets a third process lock a new file of the same name at the same time.
 */
export function purgeRepo(cacheDir: string, repo: ManagedRepo): string {
  const layout = new RepoCacheLayout(cacheDir, repo.repoId, repo.repoType);
  // A repo folder planted as a link is refused: what it points at is not ours to delete.
  if (!realDirExists(cacheDir, layout.repoDir)) return layout.repoDir;
  rmSync(layout.repoDir, { recursive: true, force: true });
  return layout.repoDir;
}
