/**
 * Frees the space of superseded revisions of one repository: keeps its
 * `keepRevisions` newest snapshots (the current commit always first), and
 * removes the older snapshot folders that hfsched fetched itself or that no
 * ref points at (a tag another client fetched on purpose stays), the refs
 * pointing at them, their tree listings, and every blob no kept snapshot
 * links to. Partial files (`.incomplete`) and files it does not recognise
 * are never touched. A blob is deleted only under its lock
 * (`.locks/…/{etag}.lock`, which the official clients take while they write
 * it); a blob whose lock is busy is left for the next prune. A blob that is
 * a link into the shared store is removed as a link, and its entry is
 * collected by the store's rule (shared-blobs.ts): deleted only when no
 * other link is left.
 *
 * Order matters for readers: refs go first (no ref ever names a missing
 * snapshot), then snapshots (no link ever dangles), then blobs.
 */
import { lstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireBlobLock } from './blob-lock.js';
import { RepoCacheLayout } from './cache-layout.js';
import { entriesOf, linkedBlobNames, listSnapshots, readRefs, type ManagedRepo } from './cache-inventory.js';
import { isValidEtag } from '../repo-paths.js';
import { ensureRealDir, realDirExists } from './safe-paths.js';
import { collectEntry, entryFreedIfUnlinked, storeEntryOf } from './shared-blobs.js';
import { removeTreeListing } from './tree-listing.js';

/** How long prune waits for a blob's lock before leaving the blob for next time. */
const LOCK_WAIT_MS = 2000;

export interface PruneRequest extends ManagedRepo {
  cacheDir: string;
  /** Snapshots to keep, at least 1. */
  keepRevisions: number;
  /** Always kept, whatever its age; null when unknown. */
  currentCommit: string | null;
  /**
   * The commits hfsched itself downloaded: only these, and snapshots no ref
   * points at, may go. A snapshot another client fetched under a ref stays.
   */
  fetchedCommits: ReadonlySet<string>;
  /**
   * An explicit removal (`cache rm`): exactly these snapshots go, with their
   * refs, whatever keepRevisions, the refs or who fetched them say.
   */
  onlyCommits?: ReadonlySet<string>;
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

/** The snapshots to keep: the current commit, then the newest others, `keep` in all. */
function chooseKept(commits: string[], currentCommit: string | null, keep: number): Set<string> {
  const ordered =
    currentCommit !== null && commits.includes(currentCommit)
      ? [currentCommit, ...commits.filter((commit) => commit !== currentCommit)]
      : commits;
  return new Set(ordered.slice(0, Math.max(1, keep)));
}

/**
 * Runs `body` holding the blob's lock (the official clients' lock:
 * `.locks/…/{etag}.lock`); false, without running it, when the lock stayed busy.
 */
async function underBlobLock(layout: RepoCacheLayout, etag: string, body: () => void): Promise<boolean> {
  ensureRealDir(layout.cacheDir, layout.locksDir);
  let lock;
  try {
    lock = await acquireBlobLock(layout.lockPath(etag), AbortSignal.timeout(LOCK_WAIT_MS));
  } catch {
    return false;
  }
  try {
    body();
    return true;
  } finally {
    await lock.release();
  }
}

/**
 * Deletes `blobs/{etag}` under its lock, and collects the store entry it
 * linked to; the bytes freed, or null when the lock stayed busy.
 */
async function removeBlobUnderLock(layout: RepoCacheLayout, etag: string): Promise<number | null> {
  const path = layout.blobPath(etag);
  const entry = storeEntryOf(layout.cacheDir, path);
  const own = entry === null ? (lstatSync(path, { throwIfNoEntry: false })?.size ?? 0) : 0;
  if (!(await underBlobLock(layout, etag, () => rmSync(path, { force: true })))) return null;
  return own + (entry === null ? 0 : await collectEntry(layout.cacheDir, entry));
}

/** Whether `blobs/{name}` is a complete blob prune may remove: a regular file or a shared store link, named by a hash. */
function isRemovableBlob(layout: RepoCacheLayout, name: string): boolean {
  if (!isValidEtag(name, true) && !isValidEtag(name, false)) return false;
  const stats = lstatSync(layout.blobPath(name), { throwIfNoEntry: false });
  if (stats?.isFile() === true) return true;
  return stats?.isSymbolicLink() === true && storeEntryOf(layout.cacheDir, layout.blobPath(name)) !== null;
}

/** What removing these blobs would free: their own bytes, and the store entries only they link to. */
function bytesFreedBy(layout: RepoCacheLayout, etags: string[]): number {
  const links = new Map<string, string[]>();
  let total = 0;
  for (const etag of etags) {
    const path = layout.blobPath(etag);
    const entry = storeEntryOf(layout.cacheDir, path);
    if (entry === null) total += lstatSync(path, { throwIfNoEntry: false })?.size ?? 0;
    else links.set(entry, [...(links.get(entry) ?? []), path]);
  }
  for (const [entry, paths] of links) total += entryFreedIfUnlinked(layout.cacheDir, entry, paths);
  return total;
}

/**
 * Removes a blob that failed verification, under its lock, so that the next
 * run fetches it again. A link into the shared store goes as a link; the
 * entry is collected only if nothing else links to it.
 */
export async function discardBlob(cacheDir: string, repo: ManagedRepo, etag: string): Promise<boolean> {
  const layout = new RepoCacheLayout(cacheDir, repo.repoId, repo.repoType);
  if (!realDirExists(cacheDir, layout.blobsDir)) return true;
  return (await removeBlobUnderLock(layout, etag)) !== null;
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
  const only = request.onlyCommits;
  const kept =
    only === undefined
      ? chooseKept(
          snapshots.map((snapshot) => snapshot.commit),
          request.currentCommit,
          request.keepRevisions,
        )
      : new Set(snapshots.map((snapshot) => snapshot.commit).filter((commit) => !only.has(commit)));
  const removedSnapshots = snapshots
    .filter((snapshot) => !kept.has(snapshot.commit))
    // Another client's snapshot under a ref (a tag fetched on purpose) is not ours to remove.
    .filter(
      (snapshot) => only !== undefined || request.fetchedCommits.has(snapshot.commit) || snapshot.refs.length === 0,
    )
    .map((snapshot) => snapshot.commit);
  for (const snapshot of snapshots) if (!removedSnapshots.includes(snapshot.commit)) kept.add(snapshot.commit);
  const removedRefs = Object.entries(refs)
    .filter(([, commit]) => !kept.has(commit) && removedSnapshots.includes(commit))
    .map(([name]) => name);
  const keptBlobs = new Set<string>();
  for (const commit of kept) linkedBlobNames(layout.snapshotDir(commit), layout.blobsDir, keptBlobs);
  const doomedBlobs = entriesOf(layout.blobsDir)
    .map((entry) => entry.name)
    // Only complete blobs (or store links), named by their hash: never partial files or anything unknown.
    .filter((name) => !keptBlobs.has(name) && isRemovableBlob(layout, name));

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
    result.freedBytes = bytesFreedBy(layout, doomedBlobs);
    return result;
  }
  for (const name of removedRefs) rmSync(layout.refPath(name), { force: true });
  for (const commit of removedSnapshots) {
    rmSync(layout.snapshotDir(commit), { recursive: true, force: true });
    // huggingface_hub's markers of files absent at that commit go with it.
    rmSync(join(layout.repoDir, '.no_exist', commit), { recursive: true, force: true });
    removeTreeListing(layout, commit);
  }
  for (const etag of doomedBlobs) {
    const freed = await removeBlobUnderLock(layout, etag);
    if (freed === null) {
      result.busyBlobs += 1;
    } else {
      result.removedBlobs += 1;
      result.freedBytes += freed;
    }
  }
  return result;
}

export interface PurgeResult {
  repoDir: string;
  /** Bytes freed: the repo's own blobs and partial files, and store entries nothing else links to. */
  freedBytes: number;
  /** Blobs (and their partial files) left because another process held their lock: an official download in progress. */
  busyBlobs: number;
}

/** The etag a `blobs/` name belongs to (`{etag}`, `{etag}.incomplete`, `{etag}.incomplete.ranges`), or null. */
function etagOfBlobFile(name: string): string | null {
  const etag = name.replace(/\.incomplete(\.ranges)?$/, '');
  return isValidEtag(etag, true) || isValidEtag(etag, false) ? etag : null;
}

/**
 * Removes the repository's folder (`model remove --purge`): refs first, then
 * snapshots, listings and markers, then each blob under the official lock
 * of its etag, so that a download in progress (ours or huggingface_hub's)
 * keeps its `.incomplete`; those stay, with the folder, for the next purge.
 * A link into the shared store goes as a link, and its entry is collected
 * by the store's rule. Lock files stay: another process may hold one, and
 * deleting a held lock file lets a third process lock a new file of the
 * same name at the same time.
 */
export async function purgeRepo(cacheDir: string, repo: ManagedRepo): Promise<PurgeResult> {
  const layout = new RepoCacheLayout(cacheDir, repo.repoId, repo.repoType);
  const result: PurgeResult = { repoDir: layout.repoDir, freedBytes: 0, busyBlobs: 0 };
  // A repo folder planted as a link is refused: what it points at is not ours to delete.
  if (!realDirExists(cacheDir, layout.repoDir)) return result;
  // Its blobs are listed and deleted one by one: never through a planted blobs/ link (refused).
  realDirExists(cacheDir, layout.blobsDir);
  for (const name of ['refs', 'snapshots', 'trees', '.no_exist'])
    rmSync(join(layout.repoDir, name), { recursive: true, force: true });
  const byEtag = new Map<string, string[]>();
  for (const entry of entriesOf(layout.blobsDir)) {
    const etag = etagOfBlobFile(entry.name);
    if (etag !== null) byEtag.set(etag, [...(byEtag.get(etag) ?? []), entry.name]);
  }
  for (const [etag, names] of byEtag) {
    const entry = storeEntryOf(cacheDir, layout.blobPath(etag));
    let own = 0;
    const removed = await underBlobLock(layout, etag, () => {
      for (const name of names) {
        const path = join(layout.blobsDir, name);
        const stats = lstatSync(path, { throwIfNoEntry: false });
        if (stats?.isFile() === true)
          own += name.endsWith('.incomplete') ? Math.min(stats.size, stats.blocks * 512) : stats.size;
        rmSync(path, { force: true });
      }
    });
    if (!removed) {
      result.busyBlobs += 1;
      continue;
    }
    result.freedBytes += own + (entry === null ? 0 : await collectEntry(cacheDir, entry));
  }
  // What is left: unknown files and busy blobs stay with their folder.
  if (result.busyBlobs === 0) rmSync(layout.repoDir, { recursive: true, force: true });
  return result;
}
