/**
 * Downloads one revision of a model repository into the Hugging Face cache,
 * as huggingface_hub's snapshot_download does: resolve the revision to a
 * commit and list its files, keep those the include/exclude globs select,
 * fetch each missing blob (several at once), link it into
 * `snapshots/{commit}/`, and write `refs/{revision}` once the snapshot is
 * complete. Nothing is written before every listed path has been checked.
 */
import { setMaxListeners } from 'node:events';
import { lstatSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { fetchBlob, hasCompleteBlob, IN_MEMORY_MAX_BYTES, type BlobJob } from './transfer/blob-fetcher.js';
import { RepoCacheLayout } from './cache/cache-layout.js';
import { asUserFacingError, DownloadError } from './errors.js';
import { FILES_TO_START, FilePool } from './transfer/file-pool.js';
import { ConnectionBudget, SNAPSHOT_MAX_CONNECTIONS } from './transfer/lane-controller.js';
import { describeSelection, selectFiles } from './file-selection.js';
import type { SpaceLimits, SpaceReservation } from './cache/disk-gate.js';
import { disagreeingBlobSize, settleSizeDisagreement } from './transfer/blob-size-check.js';
import { removeStaleTemporaries } from './cache/stale-temporaries.js';
import { assertSymlinksSupported } from './cache/symlink-support.js';
import { hubConnection } from './protocol/hub-connection.js';
import type { HubRuntime } from './hub-runtime.js';
import { ProgressTracker } from './transfer/progress-tracker.js';
import { listRevision, type RepoFile } from './protocol/repo-listing.js';
import { validateRepoId } from '../repo-id.js';
import { assertSafeRepoPath, assertSafeRevision, isValidEtag } from './repo-paths.js';
import { fsyncDirectory } from './cache/durable-files.js';
import { ensureRealDir, realDirExists } from './cache/safe-paths.js';
import { RepoFolders } from './cache/repo-folders.js';
import { linkSnapshotFile, writeRef } from './cache/snapshot-links.js';
import { linkFromStore, publishToStore } from './cache/shared-blobs.js';
import { readTreeListing, writeTreeListing, type TreeListingEntry } from './cache/tree-listing.js';
import { ensureCacheDirTag } from './cache/cachedir-tag.js';
import type { SnapshotFile, SnapshotRequest, SnapshotResult } from './types.js';

interface PlannedBlob {
  job: BlobJob;
  /** The Xet hash the Hub gave (LFS files of a Xet-backed repo): the blob can live in the shared store. */
  xetHash: string | null;
  /** Every path of the snapshot with these bytes (identical files share one blob). */
  paths: string[];
}

function assertPositiveInteger(value: number, name: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new ValidationError(`${name} must be an integer >= ${minimum} (got ${value})`);
  }
}

function checkRequest(request: SnapshotRequest): string {
  validateRepoId(request.repoId);
  const revision = request.revision === '' ? 'main' : request.revision;
  assertSafeRevision(revision);
  assertPositiveInteger(request.concurrentFiles, 'download.concurrent_files', 1);
  assertPositiveInteger(request.connectionsPerFile, 'download.connections_per_file', 1);
  assertPositiveInteger(request.maxRetries, 'download.max_retries', 0);
  assertPositiveInteger(request.minFreeBytes, 'download.min_free_bytes', 0);
  if (!(request.stallTimeoutMs > 0)) throw new ValidationError(`download.stall_timeout_seconds must be > 0`);
  return revision;
}

/** One job per distinct blob; paths that would escape the cache are refused here, before any write. */
function planBlobs(files: RepoFile[], repoId: string): PlannedBlob[] {
  const byEtag = new Map<string, PlannedBlob>();
  for (const file of files) {
    assertSafeRepoPath(file.path, repoId);
    const lfs = file.lfsSha256 !== null;
    const etag = (file.lfsSha256 ?? file.blobId).toLowerCase();
    if (!isValidEtag(etag, lfs)) {
      throw new DownloadError(
        `the Hub listed an invalid ${lfs ? 'sha256' : 'blob id'} for "${file.path}" of "${repoId}"`,
      );
    }
    const planned = byEtag.get(etag);
    if (planned !== undefined) planned.paths.push(file.path);
    else
      byEtag.set(etag, {
        job: { etag, size: file.size, algorithm: lfs ? 'sha256' : 'gitsha1', path: file.path },
        xetHash: lfs ? file.xetHash : null,
        paths: [file.path],
      });
  }
  return [...byEtag.values()];
}

/** A commit's files as the tree listing keeps them (tree-listing.ts), and back. */
function toListingEntries(files: RepoFile[]): TreeListingEntry[] {
  return files.map((file) => ({
    path: file.path,
    size: file.size,
    blobId: file.blobId,
    lfsSha256: file.lfsSha256,
    lfsSize: file.lfsSha256 === null ? null : file.size,
    xetHash: file.xetHash,
  }));
}

function fromListingEntries(entries: TreeListingEntry[]): RepoFile[] {
  return entries.map(({ path, size, blobId, lfsSha256, xetHash }) => ({ path, size, blobId, lfsSha256, xetHash }));
}

/**
 * Blobs missing from the repo that the shared store holds (shared-blobs.ts):
 * linked instead of downloaded, before anything is counted or reserved.
 * Returns the etags now in place.
 */
async function linkMissingFromStore(
  cacheDir: string,
  layout: RepoCacheLayout,
  blobs: PlannedBlob[],
  present: Set<string>,
  folders: RepoFolders,
): Promise<string[]> {
  const linked: string[] = [];
  for (const { job, xetHash } of blobs) {
    if (xetHash === null || present.has(job.etag)) continue;
    folders.make();
    const blob = { cacheDir, blobPath: layout.blobPath(job.etag), xetHash, size: job.size, sha256: job.etag };
    if (await linkFromStore(blob)) linked.push(job.etag);
  }
  return linked;
}

/** Each path of the snapshot with its blob's hash, sorted by path. */
function snapshotFiles(blobs: PlannedBlob[]): SnapshotFile[] {
  const files = blobs.flatMap(({ job, paths }) =>
    paths.map((path) => ({ path, size: job.size, algorithm: job.algorithm, etag: job.etag })),
  );
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface BlobState {
  complete: boolean;
  /** Bytes still to write: all of it, minus what a partial file already holds (allocated blocks). */
  missingBytes: number;
}

/**
 * `present` names what `blobs/` held when the download started: one readdir
 * instead of two or three stats per file, most of them of absent names (a
 * model of thousands of small files). A blob another process adds meanwhile
 * is fetched again, harmlessly: fetchBlob checks again under the lock, and a
 * small blob's rename is atomic.
 */
function inspectBlob(layout: RepoCacheLayout, job: BlobJob, present: Set<string>): BlobState {
  if (present.has(job.etag) && hasCompleteBlob(layout, job.etag, job.size)) return { complete: true, missingBytes: 0 };
  if (!present.has(`${job.etag}.incomplete`)) return { complete: false, missingBytes: job.size };
  // Not through a link: a planted one is refused when the file is fetched (partial-file.ts).
  const partial = lstatSync(layout.incompletePath(job.etag), { throwIfNoEntry: false });
  const allocated = partial === undefined ? 0 : Math.min(partial.size, partial.blocks * 512);
  return { complete: false, missingBytes: Math.max(0, job.size - allocated) };
}

/** `folders` and each of their parents up to `top` (a link folder's own name lives in its parent). */
function withParentsUpTo(folders: Iterable<string>, top: string): Set<string> {
  const all = new Set<string>();
  for (let folder of folders) {
    while (!all.has(folder)) {
      all.add(folder);
      if (folder === top || !folder.startsWith(`${top}${sep}`)) break;
      folder = dirname(folder);
    }
  }
  return all;
}

/** Without `spaceLimits`: the free-disk rule alone, with the request's minFreeBytes. */
function freeDiskOnly(minFreeBytes: number): SpaceLimits {
  return { minFreeBytes, maxBytes: 0, managedBytes: () => Promise.resolve(0) };
}

/** Listeners on a snapshot's signal that belong to no file: the disk gate, the listing, rate-limit waits. */
const LISTENERS_BESIDE_FILES = 16;

/** Downloads `request`'s snapshot with the connections, limits and gate of `runtime`. */
/**
 * Files to start with: as many as the snapshot's connections allow when
 * every file to fetch is of a MiB or more. A CDN's per-connection cap would
 * hold the first FILES_TO_START back until the pool's first verdict (a few
 * tenths of a second, most of a 4 MiB file's time), while on a fast link
 * files share it whatever their number. Small files keep the gentler start:
 * each holds a 1 MiB buffer while it runs.
 */
function filesToStartWith(work: { blob: PlannedBlob; state: BlobState }[]): number {
  const toFetch = work.filter(({ state }) => !state.complete);
  const allLarge = toFetch.every(({ blob }) => blob.job.size >= IN_MEMORY_MAX_BYTES);
  return allLarge ? SNAPSHOT_MAX_CONNECTIONS : FILES_TO_START;
}

export async function downloadSnapshot(runtime: HubRuntime, request: SnapshotRequest): Promise<SnapshotResult> {
  const revision = checkRequest(request);
  request.signal?.throwIfAborted();
  // One signal for everything in flight: the caller's pause, or our own stop after a failure.
  const controller = new AbortController();
  // Every file in flight, and every request of it, listens to this one signal (and removes its listener when
  // done): up to download.concurrent_files x connections is the design, not a leak, so Node's default warning at
  // 11 listeners (printed into the progress bars) is raised to that bound.
  setMaxListeners(
    request.concurrentFiles * (request.connectionsPerFile + 2) + LISTENERS_BESIDE_FILES,
    controller.signal,
  );
  const forwardAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', forwardAbort, { once: true });
  let reservation: SpaceReservation | null = null;
  let folders: RepoFolders | null = null;
  let pool: FilePool<{ blob: PlannedBlob; state: BlobState }> | null = null;
  try {
    const connection = hubConnection({
      http: runtime.http,
      endpoint: request.endpoint,
      token: request.token,
      repoId: request.repoId,
      repoType: request.repoType ?? 'model',
      stallTimeoutMs: request.stallTimeoutMs,
      maxRetries: request.maxRetries,
      signal: controller.signal,
      ...(request.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: request.retryBaseDelayMs } : {}),
      ...(request.logger !== undefined ? { logger: request.logger } : {}),
      // A retry anywhere (429, 503, a dropped connection) also means fewer files at a time.
      onRetry: (event) => {
        pool?.backOff();
        request.onRetry?.(event);
      },
    });
    const logger = request.logger;
    // Before any request: a cache that cannot hold links is refused at once (symlink-support.ts).
    await mkdir(request.cacheDir, { recursive: true });
    await assertSymlinksSupported(request.cacheDir);
    ensureCacheDirTag(request.cacheDir);
    const layout = new RepoCacheLayout(request.cacheDir, request.repoId, request.repoType ?? 'model');
    // A listing already on disk (ours or huggingface_hub's) answers for its commit: no need to ask again.
    const listing = await listRevision(connection, revision, (commit) => {
      const known = readTreeListing(layout, commit);
      return known === null ? null : fromListingEntries(known);
    });
    const files = selectFiles(listing.files, request.include, request.exclude);
    if (files.length === 0 && request.include.length + request.exclude.length > 0) {
      // hf download would fetch nothing and succeed; an empty snapshot recorded as complete hides a typo.
      throw new NotFoundError(
        `no file of "${request.repoId}" at ${revision} matches ${describeSelection(request.include, request.exclude)} ` +
          `(${listing.files.length} ${listing.files.length === 1 ? 'file' : 'files'} listed; patterns match whole paths as hf download does, see docs/cache.md)`,
      );
    }
    const blobs = planBlobs(files, request.repoId);
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    logger?.info(
      { repo: request.repoId, revision, commit: listing.commit, files: files.length, bytes: totalBytes },
      'snapshot listed',
    );

    // The repo's folders are made just before the first write, and removed at the end if left empty (repo-folders.ts).
    folders = new RepoFolders(request.cacheDir, layout);
    const swept = await removeStaleTemporaries(request.cacheDir, layout.repoDir);
    if (swept.length > 0)
      logger?.info({ repo: request.repoId, files: swept.length }, 'removed temporaries of dead processes');
    const present = folders.presentBlobs();
    const linked = await linkMissingFromStore(request.cacheDir, layout, blobs, present, folders);
    for (const etag of linked) present.add(etag);
    if (linked.length > 0) {
      fsyncDirectory(layout.blobsDir);
      logger?.info({ repo: request.repoId, files: linked.length }, 'files linked from the shared blob store');
    } else {
      // Nothing linked: no folder of the repo waits through the disk gate below.
      folders.removeEmpty();
    }
    for (const { job } of blobs) {
      const actualSize = present.has(job.etag) ? disagreeingBlobSize(layout, job) : null;
      if (actualSize !== null) await settleSizeDisagreement(layout, job, actualSize);
    }
    const states = blobs.map((blob) => inspectBlob(layout, blob.job, present));
    const missing = states.reduce((sum, state) => sum + state.missingBytes, 0);
    const tracker = new ProgressTracker(totalBytes, files.length, request.onProgress);
    // Waits, before anything is written, until the missing bytes fit (disk-gate.ts); released in `finally`.
    reservation = await runtime.diskGate.reserve({
      dir: request.cacheDir,
      neededBytes: missing,
      selection: {
        bytes: blobs.reduce((sum, blob) => sum + blob.job.size, 0),
        what: `"${request.repoId}" at ${revision} (${files.length} ${files.length === 1 ? 'file' : 'files'})`,
      },
      remainingBytes: () => missing - tracker.fetched,
      limits: request.spaceLimits ?? (() => freeDiskOnly(request.minFreeBytes)),
      signal: controller.signal,
      ...(request.onSpaceWait !== undefined ? { onWait: request.onSpaceWait } : {}),
    });
    if (missing > 0) ensureRealDir(request.cacheDir, layout.locksDir);
    const snapshotPath = layout.snapshotDir(listing.commit);
    const snapshotIsNew = !realDirExists(request.cacheDir, snapshotPath);
    folders.make(snapshotPath);
    const createdFolders = new Set<string>([snapshotPath]);
    // One budget for the snapshot's files and their lanes (lane-controller.ts).
    const connections = new ConnectionBudget(SNAPSHOT_MAX_CONNECTIONS, runtime.connections);
    tracker.emit(true);
    const placeBlob = async ({ blob, state }: { blob: PlannedBlob; state: BlobState }): Promise<void> => {
      const { job } = blob;
      let outcome: 'cached' | 'fetched' = 'cached';
      let complete = state.complete;
      if (!complete && blob.xetHash !== null) {
        // Another repo may have brought the same bytes into the store since the start.
        const shared = { cacheDir: request.cacheDir, blobPath: layout.blobPath(job.etag), xetHash: blob.xetHash };
        complete = await linkFromStore({ ...shared, size: job.size, sha256: job.etag });
      }
      if (!complete) {
        tracker.started(job.etag, job.path, job.size);
        outcome = await fetchBlob(job, {
          connection,
          layout,
          commit: listing.commit,
          revision,
          connectionsPerFile: request.connectionsPerFile,
          multipartThresholdBytes: request.multipartThresholdBytes,
          bandwidth: runtime.bandwidth,
          onDiskBytes: (bytes) => tracker.onDisk(job.etag, bytes),
          onBytes: (bytes) => tracker.received(job.etag, bytes),
          onVerifying: () => tracker.verifying(job.etag),
          connections,
        }).catch((error: unknown) => {
          tracker.dropped(job.etag);
          throw error;
        });
      }
      if (outcome === 'fetched' && blob.xetHash !== null) {
        // Verified bytes go to the shared store for other repos; a failure leaves the blob a regular file.
        const shared = { cacheDir: request.cacheDir, blobPath: layout.blobPath(job.etag), xetHash: blob.xetHash };
        if (!(await publishToStore({ ...shared, size: job.size, sha256: job.etag })))
          logger?.debug({ repo: request.repoId, file: job.path }, 'blob kept in the repo (not shared)');
      }
      for (const path of blob.paths)
        await linkSnapshotFile(layout, listing.commit, path, job.etag, createdFolders, snapshotIsNew);
      tracker.finished(job.etag, job.size, blob.paths.length);
      if (outcome === 'fetched')
        logger?.info({ repo: request.repoId, file: job.path, bytes: job.size }, 'file downloaded and verified');
      for (const path of blob.paths) request.onFileDone?.({ path, size: job.size, cached: outcome === 'cached' });
    };
    const work = blobs.map((blob, index) => ({ blob, state: states[index]! }));
    pool = new FilePool(work, placeBlob, {
      maxFiles: request.concurrentFiles,
      receivedBytes: () => tracker.fetched,
      connections,
      startWith: filesToStartWith(work),
    });
    await pool.run((error) => controller.abort(error));
    if (pool.peak > FILES_TO_START)
      logger?.info({ repo: request.repoId, files: pool.peak }, 'most files downloaded at once');

    // The names made above (small blobs, links), durable in one fsync per folder rather than one per file.
    if (states.some((state) => !state.complete)) fsyncDirectory(layout.blobsDir);
    for (const folder of withParentsUpTo(createdFolders, snapshotPath)) fsyncDirectory(folder);
    // The commit's listing, every file of it whatever the selection (the official client's format).
    if (!listing.fromCache) writeTreeListing(layout, listing.commit, toListingEntries(listing.files));
    // Readers resolve refs/ then snapshots/: the ref moves only once the snapshot is whole and durable.
    if (revision !== listing.commit && request.writeRef !== false) await writeRef(layout, revision, listing.commit);
    tracker.emit(true);
    return {
      commit: listing.commit,
      files: snapshotFiles(blobs),
      snapshotPath,
      totalBytes,
      fileCount: files.length,
      fetchedBytes: tracker.fetched,
    };
  } catch (error) {
    // After a failure, a pause or a refusal: folders this download made and never wrote in go again.
    folders?.removeEmpty();
    request.signal?.throwIfAborted();
    throw asUserFacingError(error, `downloading "${request.repoId}" into ${request.cacheDir}`);
  } finally {
    reservation?.release();
    request.signal?.removeEventListener('abort', forwardAbort);
  }
}
