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
import { renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { ConnectionBudget } from './lane-controller.js';
import { acquireBlobLock } from '../cache/blob-lock.js';
import type { HashAlgorithm } from '../cache/blob-hash.js';
import { FileSink, MemorySink, type BlobSink } from './blob-sink.js';
import { BlobTransfer } from './blob-transfer.js';
import type { RepoCacheLayout } from '../cache/cache-layout.js';
import { fsyncDirectory, writeFileDurably } from '../cache/durable-files.js';
import { blobStats } from '../cache/safe-paths.js';
import {
  BlobMismatchError,
  DownloadError,
  MAX_MISMATCHES_IN_A_ROW,
  RangesUnsupportedError,
  RepeatedCorruptionError,
} from '../errors.js';
import type { HubConnection } from '../protocol/hub-connection.js';
import { discardEmptyPartial, discardPartial, resumablePrefix } from '../cache/partial-file.js';

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
  /** The snapshot's connections, which this blob's lanes take from. */
  connections: ConnectionBudget;
}

/**
 * True when `blobs/{etag}` holds `size` bytes. A blob of another size is left
 * alone: blob-size-check.ts decides, by its hash, whether it or the listing is
 * wrong. Synchronous, like the other metadata calls of
 * the hub: a stat costs microseconds, a thread-pool round trip tens of them,
 * and a model of thousands of small files makes thousands of these.
 */
export function hasCompleteBlob(layout: RepoCacheLayout, etag: string, size: number): boolean {
  // A link is followed only into the shared store; any other is refused (safe-paths.ts).
  const stats = blobStats(layout.cacheDir, layout.blobPath(etag));
  return stats !== undefined && stats.size === size;
}

/** Moves every missing byte into `sink`, then compares the hash; BlobMismatchError when it is wrong. */
async function transferAndVerify(
  job: BlobJob,
  options: BlobFetchOptions,
  sink: BlobSink,
  maxConnections: number,
): Promise<void> {
  try {
    await new BlobTransfer({
      connection: options.connection,
      path: job.path,
      commit: options.commit,
      revision: options.revision,
      size: job.size,
      prefix: sink.prefix,
      maxConnections,
      sink,
      bandwidth: options.bandwidth,
      onBytes: options.onBytes,
      connections: options.connections,
    }).run();
  } catch (error) {
    // What reached the sink's front is kept: the partial file stays a resumable prefix.
    await sink.stop();
    throw error;
  }
  options.onVerifying();
  const digest = await sink.finish();
  if (digest !== job.etag) {
    const kind = job.algorithm === 'sha256' ? 'sha256' : 'git blob sha1';
    throw new BlobMismatchError(
      `"${job.path}" failed verification: its ${kind} is ${digest}, the Hub says ${job.etag}`,
    );
  }
}

/**
 * A small blob: into memory, verified, then written aside, fsynced and
 * renamed to `blobs/{etag}`. The caller fsyncs `blobs/` once for all of them
 * (snapshot-download.ts), before the ref moves: a folder fsync per file cost
 * as much as the file's own write.
 */
async function fetchIntoMemory(job: BlobJob, options: BlobFetchOptions): Promise<void> {
  const { layout } = options;
  const sink = new MemorySink(job.algorithm, job.size);
  try {
    options.onDiskBytes(0);
    await transferAndVerify(job, options, sink, 1);
    const target = layout.blobPath(job.etag);
    writeFileDurably(`${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`, target, sink.bytes);
  } finally {
    sink.release();
  }
}

/**
 * A large blob: continues `.incomplete` (see partial-file.ts) over one or
 * several connections, then fsyncs it, renames it to `blobs/{etag}` and
 * fsyncs the folder. The caller holds the lock.
 */
async function fetchIntoPartialFile(job: BlobJob, options: BlobFetchOptions, singleConnection: boolean): Promise<void> {
  const { layout } = options;
  const incomplete = layout.incompletePath(job.etag);
  const prefix = resumablePrefix(incomplete, layout.rangesPath(job.etag), job.size);
  options.onDiskBytes(prefix);
  if (prefix > 0) {
    options.connection.logger?.info({ repo: layout.repoId, file: job.path, offset: prefix }, 'resuming partial file');
  }
  const sink = new FileSink(job.algorithm, job.size, incomplete, prefix);
  const multipart = !singleConnection && job.size >= options.multipartThresholdBytes;
  await transferAndVerify(job, options, sink, multipart ? options.connectionsPerFile : 1);
  const target = layout.blobPath(job.etag);
  renameSync(incomplete, target);
  fsyncDirectory(dirname(target));
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
    if (hasCompleteBlob(layout, job.etag, job.size)) return 'cached';
    await fetchUntilVerified(
      job,
      options,
      (singleConnection) => fetchIntoPartialFile(job, options, singleConnection),
      () => Promise.resolve(discardPartial(layout.incompletePath(job.etag), layout.rangesPath(job.etag))),
    );
    return 'fetched';
  } catch (error) {
    discardEmptyPartial(layout.incompletePath(job.etag), layout.rangesPath(job.etag));
    throw error;
  } finally {
    await lock.release();
  }
}
