/**
 * Brings one blob into the cache: `blobs/{etag}` appears only once all its
 * bytes are on disk and their hash equals the Hub's (sha256 for LFS files,
 * git blob sha1 otherwise). Until then they live in `blobs/{etag}.incomplete`,
 * which the next try or the next run continues. A blob already in the cache is
 * trusted when its size matches, as huggingface_hub trusts it.
 */
import { renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import { acquireBlobLock } from './blob-lock.js';
import { createBlobHasher, type HashAlgorithm } from './blob-hasher.js';
import { BlobTransfer } from './blob-transfer.js';
import type { RepoCacheLayout } from './cache-layout.js';
import { BlobMismatchError, DownloadError, RangesUnsupportedError } from './errors.js';
import type { HubConnection } from './hub-connection.js';
import { bytesOnDisk, chooseChunkSize, chunkCount, contiguousBytes, discardPartial, loadChunkPlan, saveChunkPlan, type ChunkPlan } from './partial-file.js';

const SAVE_PLAN_EVERY_MS = 1000;

export interface BlobJob {
  etag: string;
  size: number;
  algorithm: HashAlgorithm;
  /** One of the repo paths holding this blob: what is asked for, and named in messages. */
  path: string;
}

export interface BlobFetchOptions {
  connection: HubConnection;
  layout: RepoCacheLayout;
  commit: string;
  revision: string;
  connectionsPerFile: number;
  multipartThresholdBytes: number;
  bandwidth: BandwidthLimiter | null;
  /** The blob's bytes on disk now (resumed part at the start, 0 after a restart). */
  onDiskBytes: (bytes: number) => void;
  /** Bytes received from the network. */
  onBytes: (bytes: number) => void;
  /** Every byte is there; the hash is being finished and compared. */
  onVerifying: () => void;
}

/**
 * True when `blobs/{etag}` holds `size` bytes; a blob of another size is
 * removed (it cannot be right). Synchronous, like the other metadata calls of
 * the hub: a stat costs microseconds, a thread-pool round trip tens of them,
 * and a model of thousands of small files makes thousands of these.
 */
export function hasCompleteBlob(path: string, size: number): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return false;
  if (stats.isFile() && stats.size === size) return true;
  rmSync(path, { force: true, recursive: true });
  return false;
}


/** Serialises saves of the ranges file (a timer and the final save may overlap). */
class PlanSaver {
  private last: Promise<void> = Promise.resolve();
  constructor(
    private readonly path: string,
    private readonly plan: ChunkPlan,
  ) {}
  save(): Promise<void> {
    const snapshot = { ...this.plan, done: [...this.plan.done] };
    this.last = this.last.then(() => saveChunkPlan(this.path, snapshot)).catch(() => {});
    return this.last;
  }
}

/**
 * Downloads the missing bytes into `.incomplete` and checks them; throws
 * BlobMismatchError if they are wrong. Returns whether a ranges file was used.
 */
async function downloadAndVerify(job: BlobJob, options: BlobFetchOptions, singleConnection: boolean, logger?: Logger): Promise<boolean> {
  const { layout } = options;
  const incomplete = layout.incompletePath(job.etag);
  const rangesPath = layout.rangesPath(job.etag);
  const chunkSize = singleConnection ? Math.max(1, job.size) : chooseChunkSize(job.size, options.connectionsPerFile, options.multipartThresholdBytes);
  const { plan, fileExists } = await loadChunkPlan(incomplete, rangesPath, job.size, chunkSize);
  const multiChunk = chunkCount(plan) > 1;
  const saver = multiChunk ? new PlanSaver(rangesPath, plan) : null;
  // Before any byte lands out of order, the ranges file must say which bytes are real.
  if (saver !== null) await saveChunkPlan(rangesPath, plan);
  options.onDiskBytes(bytesOnDisk(plan));
  if (bytesOnDisk(plan) > 0) logger?.info({ repo: layout.repoId, file: job.path, offset: bytesOnDisk(plan) }, 'resuming partial file');

  // 'r+' keeps what is there; 'a' would ignore write positions on Linux.
  const handle = await open(incomplete, fileExists ? 'r+' : 'w+');
  const hasher = createBlobHasher(job.algorithm, job.size, incomplete);
  const timer = saver === null ? null : setInterval(() => void saver.save(), SAVE_PLAN_EVERY_MS);
  try {
    hasher.catchUp(contiguousBytes(plan));
    await new BlobTransfer({
      connection: options.connection,
      path: job.path,
      commit: options.commit,
      revision: options.revision,
      plan,
      handle,
      hasher,
      connections: singleConnection ? 1 : options.connectionsPerFile,
      bandwidth: options.bandwidth,
      onBytes: options.onBytes,
    }).run();
    options.onVerifying();
    const onDisk = bytesOnDisk(plan);
    if (onDisk !== job.size) {
      throw new BlobMismatchError(`"${job.path}" has ${onDisk} bytes on disk, ${job.size} expected`);
    }
    const digest = await hasher.digest();
    if (digest !== job.etag) {
      const kind = job.algorithm === 'sha256' ? 'sha256' : 'git blob sha1';
      throw new BlobMismatchError(`"${job.path}" failed verification: its ${kind} is ${digest}, the Hub says ${job.etag}`);
    }
    return saver !== null;
  } finally {
    if (timer !== null) clearInterval(timer);
    hasher.close();
    await handle.close();
    if (saver !== null) await saver.save();
  }
}

/**
 * Makes `blobs/{etag}` complete and verified. Returns 'cached' when it already
 * was (another process may have just finished it). Two processes never write
 * the same blob at once (see blob-lock.ts). The blobs and locks folders must exist.
 */
export async function fetchBlob(job: BlobJob, options: BlobFetchOptions): Promise<'cached' | 'fetched'> {
  const { layout, connection } = options;
  const { logger, signal } = connection;
  const blobPath = layout.blobPath(job.etag);
  const lock = await acquireBlobLock(layout.lockPath(job.etag), signal, (pid) =>
    logger?.info({ repo: layout.repoId, file: job.path, pid }, 'waiting for another download of the same file'),
  );
  try {
    if (hasCompleteBlob(blobPath, job.size)) return 'cached';
    let mismatches = 0;
    let singleConnection = false;
    for (;;) {
      try {
        const usedRanges = await downloadAndVerify(job, options, singleConnection, logger);
        renameSync(layout.incompletePath(job.etag), blobPath);
        if (usedRanges) rmSync(layout.rangesPath(job.etag), { force: true });
        return 'fetched';
      } catch (error) {
        signal?.throwIfAborted();
        if (error instanceof RangesUnsupportedError && !singleConnection) {
          // Start again in one piece, without Range: what a server without ranges can serve.
          logger?.warn({ repo: layout.repoId, file: job.path, reason: error.message }, 'restarting the file over one connection');
          singleConnection = true;
          await discardPartial(layout.incompletePath(job.etag), layout.rangesPath(job.etag));
          continue;
        }
        if (error instanceof RangesUnsupportedError) {
          throw new DownloadError(`downloading "${job.path}" of "${layout.repoId}" failed: ${error.message}; retry later`);
        }
        if (!(error instanceof BlobMismatchError)) throw error;
        // Wrong bytes are never kept: delete them and start the file again from zero.
        await discardPartial(layout.incompletePath(job.etag), layout.rangesPath(job.etag));
        mismatches += 1;
        if (mismatches > connection.maxRetries) {
          throw new DownloadError(
            `${error.message} (${mismatches} ${mismatches === 1 ? 'try' : 'tries'}); the partial file was deleted: retry later, or report it to the repository's owner`,
          );
        }
        logger?.warn({ repo: layout.repoId, file: job.path, attempt: mismatches, reason: error.message }, 'verification failed; downloading the file again');
      }
    }
  } finally {
    await lock.release();
  }
}
