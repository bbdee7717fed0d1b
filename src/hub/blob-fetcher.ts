/**
 * Brings one blob into the cache: `blobs/{etag}` appears only once all its
 * bytes are there and their hash equals the Hub's (sha256 for LFS files, git
 * blob sha1 otherwise). A large blob is written to `blobs/{etag}.incomplete`
 * as it arrives, under a lock, and the next try or the next run continues it.
 * A small one is gathered in memory, verified, written aside and renamed into
 * place: no lock, no partial file (two processes writing it at once both
 * write the same verified bytes; the rename is atomic). A blob already in the
 * cache is trusted when its size matches, as huggingface_hub trusts it.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import { acquireBlobLock } from './blob-lock.js';
import { createBlobHasher, type BlobHasher, type HashAlgorithm } from './blob-hasher.js';
import { BlobTransfer } from './blob-transfer.js';
import type { RepoCacheLayout } from './cache-layout.js';
import { ChunkWriter, FileWriteGate } from './chunk-writer.js';
import {
  BlobMismatchError,
  DownloadError,
  MAX_MISMATCHES_IN_A_ROW,
  RangesUnsupportedError,
  RepeatedCorruptionError,
} from './errors.js';
import type { HubConnection } from './hub-connection.js';
import { MemoryWriter } from './memory-writer.js';
import {
  bytesOnDisk,
  chooseChunkSize,
  chunkCount,
  contiguousBytes,
  discardPartial,
  loadChunkPlan,
  planFromPrefix,
  saveChunkPlan,
  type ChunkPlan,
} from './partial-file.js';

const SAVE_PLAN_EVERY_MS = 1000;
/** Blobs smaller than this are fetched into memory (see above). */
export const IN_MEMORY_MAX_BYTES = 1024 * 1024;

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
 * True when `blobs/{etag}` holds `size` bytes. A blob of another size is left
 * alone: blob-size-check.ts decides, by its hash, whether it or the listing is
 * wrong. Synchronous, like the other metadata calls of
 * the hub: a stat costs microseconds, a thread-pool round trip tens of them,
 * and a model of thousands of small files makes thousands of these.
 */
export function hasCompleteBlob(path: string, size: number): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return false;
  return stats.isFile() && stats.size === size;
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

/** Moves every missing byte of `plan`, then compares size and hash; BlobMismatchError when they are wrong. */
async function transferAndVerify(
  job: BlobJob,
  options: BlobFetchOptions,
  plan: ChunkPlan,
  sink: {
    openWriter: ConstructorParameters<typeof BlobTransfer>[0]['openWriter'];
    hasher: BlobHasher;
    connections: number;
  },
): Promise<void> {
  sink.hasher.catchUp(contiguousBytes(plan));
  await new BlobTransfer({
    connection: options.connection,
    path: job.path,
    commit: options.commit,
    revision: options.revision,
    plan,
    openWriter: sink.openWriter,
    hasher: sink.hasher,
    connections: sink.connections,
    bandwidth: options.bandwidth,
    onBytes: options.onBytes,
  }).run();
  options.onVerifying();
  const stored = bytesOnDisk(plan);
  if (stored !== job.size) throw new BlobMismatchError(`"${job.path}" has ${stored} bytes, ${job.size} expected`);
  const digest = await sink.hasher.digest();
  if (digest !== job.etag) {
    const kind = job.algorithm === 'sha256' ? 'sha256' : 'git blob sha1';
    throw new BlobMismatchError(
      `"${job.path}" failed verification: its ${kind} is ${digest}, the Hub says ${job.etag}`,
    );
  }
}

/** A small blob: into memory, verified, then written aside and renamed to `blobs/{etag}`. */
async function fetchIntoMemory(job: BlobJob, options: BlobFetchOptions): Promise<void> {
  const { layout } = options;
  const bytes = Buffer.allocUnsafe(job.size);
  const plan = planFromPrefix(job.size, Math.max(1, job.size), 0);
  options.onDiskBytes(0);
  // Received in order, so the hash never reads the (absent) file.
  const hasher = createBlobHasher(job.algorithm, job.size, '');
  try {
    await transferAndVerify(job, options, plan, {
      openWriter: (offset, _end, onWritten) => new MemoryWriter(bytes, offset, onWritten),
      hasher,
      connections: 1,
    });
  } finally {
    hasher.close();
  }
  const aside = `${layout.blobPath(job.etag)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(aside, bytes);
    renameSync(aside, layout.blobPath(job.etag));
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}

/**
 * A large blob: continues `.incomplete` (see partial-file.ts) over one or
 * several connections, then renames it to `blobs/{etag}`. The caller holds the lock.
 */
async function fetchIntoPartialFile(job: BlobJob, options: BlobFetchOptions, singleConnection: boolean): Promise<void> {
  const { layout } = options;
  const incomplete = layout.incompletePath(job.etag);
  const rangesPath = layout.rangesPath(job.etag);
  const chunkSize = singleConnection
    ? Math.max(1, job.size)
    : chooseChunkSize(job.size, options.connectionsPerFile, options.multipartThresholdBytes);
  const { plan, fileExists } = await loadChunkPlan(incomplete, rangesPath, job.size, chunkSize);
  const saver = chunkCount(plan) > 1 ? new PlanSaver(rangesPath, plan) : null;
  // Before any byte lands out of order, the ranges file must say which bytes are real.
  if (saver !== null) await saveChunkPlan(rangesPath, plan);
  options.onDiskBytes(bytesOnDisk(plan));
  if (bytesOnDisk(plan) > 0) {
    options.connection.logger?.info(
      { repo: layout.repoId, file: job.path, offset: bytesOnDisk(plan) },
      'resuming partial file',
    );
  }

  // 'r+' keeps what is there; 'a' would ignore write positions on Linux.
  const handle = await open(incomplete, fileExists ? 'r+' : 'w+');
  const gate = new FileWriteGate();
  const hasher = createBlobHasher(job.algorithm, job.size, incomplete);
  const timer = saver === null ? null : setInterval(() => void saver.save(), SAVE_PLAN_EVERY_MS);
  try {
    await transferAndVerify(job, options, plan, {
      // In one piece, the file's length is the resume point: writes must land in order.
      openWriter: (offset, end, onWritten) =>
        new ChunkWriter(handle, gate, offset, end, onWritten, saver === null ? 1 : 2),
      hasher,
      connections: singleConnection ? 1 : options.connectionsPerFile,
    });
  } finally {
    if (timer !== null) clearInterval(timer);
    hasher.close();
    await handle.close();
    if (saver !== null) await saver.save();
  }
  renameSync(incomplete, layout.blobPath(job.etag));
  if (saver !== null) rmSync(rangesPath, { force: true });
}

/**
 * Runs `attempt` until the blob is verified: a server that ignores ranges gets
 * one more try over a single connection; wrong bytes are discarded and fetched
 * again from zero, up to maxRetries times.
 */
async function fetchUntilVerified(
  job: BlobJob,
  options: BlobFetchOptions,
  attempt: (singleConnection: boolean) => Promise<void>,
  discard: () => Promise<void>,
): Promise<void> {
  const { layout, connection } = options;
  const { logger, signal } = connection;
  let mismatches = 0;
  let singleConnection = false;
  for (;;) {
    try {
      await attempt(singleConnection);
      return;
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof RangesUnsupportedError && !singleConnection) {
        // Start again in one piece, without Range: what a server without ranges can serve.
        logger?.warn(
          { repo: layout.repoId, file: job.path, reason: error.message },
          'restarting the file over one connection',
        );
        singleConnection = true;
        await discard();
        continue;
      }
      if (error instanceof RangesUnsupportedError) {
        throw new DownloadError(
          `downloading "${job.path}" of "${layout.repoId}" failed: ${error.message}; retry later`,
        );
      }
      if (!(error instanceof BlobMismatchError)) throw error;
      // Wrong bytes are never kept: delete them and start the file again from zero.
      await discard();
      mismatches += 1;
      if (mismatches >= MAX_MISMATCHES_IN_A_ROW) {
        const kind = job.algorithm === 'sha256' ? 'sha256' : 'git blob sha1';
        throw new RepeatedCorruptionError(
          `the server keeps sending bytes that do not match ${kind} ${job.etag} for "${job.path}" of "${layout.repoId}": ${mismatches} downloads in a row failed verification (last: ${error.message}); the bytes were discarded; check hub.endpoint / HF_ENDPOINT and any proxy, or report it to the repository's owner`,
        );
      }
      if (mismatches > connection.maxRetries) {
        throw new DownloadError(
          `${error.message} (${mismatches} ${mismatches === 1 ? 'try' : 'tries'}); the bytes were discarded: retry later, or report it to the repository's owner`,
        );
      }
      logger?.warn(
        { repo: layout.repoId, file: job.path, attempt: mismatches, reason: error.message },
        'verification failed; downloading the file again',
      );
    }
  }
}

/**
 * Makes `blobs/{etag}` complete and verified. Returns 'cached' when another
 * process finished it meanwhile. The blobs and locks folders must exist.
 */
export async function fetchBlob(job: BlobJob, options: BlobFetchOptions): Promise<'cached' | 'fetched'> {
  const { layout, connection } = options;
  if (job.size < IN_MEMORY_MAX_BYTES) {
    await fetchUntilVerified(
      job,
      options,
      () => fetchIntoMemory(job, options),
      () => Promise.resolve(),
    );
    return 'fetched';
  }
  // Logged when the wait starts, then once a minute, with who holds the lock (blob-lock.ts).
  const lock = await acquireBlobLock(layout.lockPath(job.etag), connection.signal, undefined, {
    onStillWaiting: (holder, waitedMs) =>
      connection.logger?.info(
        {
          repo: layout.repoId,
          file: job.path,
          holder,
          lock: layout.lockPath(job.etag),
          waitedSeconds: Math.round(waitedMs / 1000),
        },
        'waiting for another download of the same file',
      ),
  });
  try {
    if (hasCompleteBlob(layout.blobPath(job.etag), job.size)) return 'cached';
    await fetchUntilVerified(
      job,
      options,
      (singleConnection) => fetchIntoPartialFile(job, options, singleConnection),
      () => discardPartial(layout.incompletePath(job.etag), layout.rangesPath(job.etag)),
    );
    return 'fetched';
  } finally {
    await lock.release();
  }
}
