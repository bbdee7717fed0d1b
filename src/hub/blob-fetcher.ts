/**
 * Brings one blob into the cache: `blobs/{etag}` appears only once all its
 * bytes are on disk and their hash equals the Hub's (sha256 for LFS files,
 * git blob sha1 otherwise). Until then they live in `blobs/{etag}.incomplete`,
 * which the next try or the next run continues. A blob already in the cache is
 * trusted when its size matches, as huggingface_hub trusts it.
 */
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
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

/** True when `blobs/{etag}` holds `size` bytes; a blob of another size is removed (it cannot be right). */
async function hasCompleteBlob(path: string, size: number): Promise<boolean> {
  try {
    const stats = await stat(path);
    if (stats.isFile() && stats.size === size) return true;
    await rm(path, { force: true, recursive: true });
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Opens the partial file for writing at any offset ('a' would ignore positions on Linux). */
async function openPartial(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return open(path, 'w+');
  }
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

/** Downloads the missing bytes into `.incomplete` and checks them; throws BlobMismatchError if they are wrong. */
async function downloadAndVerify(job: BlobJob, options: BlobFetchOptions, singleConnection: boolean, logger?: Logger): Promise<void> {
  const { layout } = options;
  const incomplete = layout.incompletePath(job.etag);
  const rangesPath = layout.rangesPath(job.etag);
  const chunkSize = singleConnection ? Math.max(1, job.size) : chooseChunkSize(job.size, options.connectionsPerFile, options.multipartThresholdBytes);
  const plan = await loadChunkPlan(incomplete, rangesPath, job.size, chunkSize);
  const multiChunk = chunkCount(plan) > 1;
  const saver = multiChunk ? new PlanSaver(rangesPath, plan) : null;
  // Before any byte lands out of order, the ranges file must say which bytes are real.
  if (saver !== null) await saveChunkPlan(rangesPath, plan);
  options.onDiskBytes(bytesOnDisk(plan));
  if (bytesOnDisk(plan) > 0) logger?.info({ repo: layout.repoId, file: job.path, offset: bytesOnDisk(plan) }, 'resuming partial file');

  const handle = await openPartial(incomplete);
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
    const onDisk = (await handle.stat()).size;
    if (onDisk !== job.size) {
      throw new BlobMismatchError(`"${job.path}" has ${onDisk} bytes on disk, ${job.size} expected`);
    }
    const digest = await hasher.digest();
    if (digest !== job.etag) {
      const kind = job.algorithm === 'sha256' ? 'sha256' : 'git blob sha1';
      throw new BlobMismatchError(`"${job.path}" failed verification: its ${kind} is ${digest}, the Hub says ${job.etag}`);
    }
  } finally {
    if (timer !== null) clearInterval(timer);
    hasher.close();
    await handle.close();
    if (saver !== null) await saver.save();
  }
}

/**
 * Makes `blobs/{etag}` complete and verified. Returns 'cached' when it already
 * was. Two processes never write the same blob at once (see blob-lock.ts).
 */
export async function fetchBlob(job: BlobJob, options: BlobFetchOptions): Promise<'cached' | 'fetched'> {
  const { layout, connection } = options;
  const { logger, signal } = connection;
  const blobPath = layout.blobPath(job.etag);
  if (await hasCompleteBlob(blobPath, job.size)) return 'cached';

  await mkdir(layout.blobsDir, { recursive: true });
  const lock = await acquireBlobLock(layout.lockPath(job.etag), signal, (pid) =>
    logger?.info({ repo: layout.repoId, file: job.path, pid }, 'waiting for another download of the same file'),
  );
  try {
    if (await hasCompleteBlob(blobPath, job.size)) return 'cached';
    let mismatches = 0;
    let singleConnection = false;
    for (;;) {
      try {
        await downloadAndVerify(job, options, singleConnection, logger);
        await rename(layout.incompletePath(job.etag), blobPath);
        await rm(layout.rangesPath(job.etag), { force: true });
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
