/**
 * Where the bytes of one blob go, strictly in file order: each byte is
 * hashed from memory as it arrives (never read back from disk) and, for a
 * blob fetched into a partial file, written right after the bytes before
 * it. So `blobs/{etag}.incomplete` only ever holds a contiguous prefix of
 * the blob, whatever the number of connections: the rule by which
 * huggingface_hub resumes a partial file (it appends from the file's size,
 * file_download.py `_download_to_tmp_and_move`), and ours too.
 *
 * Two sinks, by blob size:
 * - MemorySink: small blobs, gathered in memory and written once verified.
 * - FileSink: larger blobs, hashed and written on the main thread as the
 *   bytes arrive. One thread doing both costs less CPU than handing the bytes
 *   to a worker thread (measured in bench/: the copy and the messages cost
 *   more than they saved, and a worker's own heap added about 10 MiB).
 */
import type { Hash } from 'node:crypto';
import { closeSync, constants, fsyncSync, ftruncateSync, readSync, writevSync } from 'node:fs';
// Small pieces are gathered into one of the transfer's reused 1 MiB buffers before a write.
import { releaseSlab, takeSlab } from './transfer-chunks.js';
import { newHash, READ_BYTES, type HashAlgorithm } from '../cache/blob-hash.js';
import { openCacheFile } from '../cache/safe-paths.js';

/** Pieces at least this large skip the batch: one write each is cheaper than a copy. */
const DIRECT_WRITE_MIN_BYTES = 256 * 1024;
/**
 * A batch older than this is written even when not full. On a fast link a
 * batch fills long before (no extra write); on a slow one, a process killed
 * with SIGKILL loses at most this long's bytes, not up to 1 MiB per file,
 * and the next run fetches them again (test/cli/kill-chaos.test.ts).
 */
const BATCH_MAX_AGE_MS = 50;

export interface BlobSink {
  /** Bytes already in place when the transfer starts (the resumed prefix). */
  readonly prefix: number;
  /**
   * The next bytes of the blob, in order. The sink copies what it keeps:
   * `piece` may be reused once this returns. A returned promise asks the
   * caller to wait (the hash or the disk is behind).
   */
  append(piece: Buffer): Promise<void> | void;
  /** Once every byte was appended: writes the rest, makes the file durable (fsync), returns the hex digest. */
  finish(): Promise<string>;
  /** Writes what was appended and lets go of the file (a pause): the file is then a contiguous prefix. */
  stop(): Promise<void>;
}

/**
 * Opens the partial file for appending after its first `prefix` bytes (cut
 * back to them) and feeds those bytes to `hash`: a prefix left by an earlier
 * run, by us or by huggingface_hub, is read once, then never again.
 * Never through a link planted in its place, nor into a file with other
 * names (safe-paths.ts); and not truncated on open: only once it is known
 * to be ours.
 */
export function openPartialFile(path: string, prefix: number, hash: Hash): number {
  const fd = openCacheFile(path, constants.O_RDWR | constants.O_CREAT, { forWriting: true });
  try {
    ftruncateSync(fd, prefix);
    const buffer = prefix > 0 ? Buffer.allocUnsafe(Math.min(READ_BYTES, prefix)) : null;
    for (let position = 0; buffer !== null && position < prefix;) {
      const bytes = readSync(fd, buffer, 0, Math.min(buffer.length, prefix - position), position);
      if (bytes === 0) throw new Error(`${path} ends at ${position}, before ${prefix}`);
      hash.update(buffer.subarray(0, bytes));
      position += bytes;
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Writes every byte of `pieces` at `position` (writev may write less than asked). */
export function writeAllAt(fd: number, pieces: Uint8Array[], position: number): void {
  let rest = pieces;
  let at = position;
  while (rest.length > 0) {
    let written = writevSync(fd, rest, at);
    at += written;
    let index = 0;
    while (index < rest.length && written >= rest[index]!.length) {
      written -= rest[index]!.length;
      index += 1;
    }
    rest = rest.slice(index);
    if (written > 0) rest[0] = rest[0]!.subarray(written);
  }
}

/**
 * A small blob (under 1 MiB): hashed as it arrives, kept in one of the
 * reused 1 MiB buffers; the caller writes `bytes` once it is verified, then
 * calls release(). Thousands of small files then leave no garbage behind.
 */
export class MemorySink implements BlobSink {
  readonly prefix = 0;
  /** A reused buffer, at least `size` bytes long; null once released. */
  private slab: Buffer | null = takeSlab();
  private length = 0;
  private readonly hash: Hash;

  constructor(
    algorithm: HashAlgorithm,
    private readonly size: number,
  ) {
    if (size > this.slab!.length) throw new RangeError(`a blob of ${size} bytes does not fit a MemorySink`);
    this.hash = newHash(algorithm, size);
  }

  /** What was appended; valid until release(). */
  get bytes(): Buffer {
    if (this.slab === null) throw new Error('MemorySink used after release()');
    return this.slab.subarray(0, this.length);
  }

  append(piece: Buffer): void {
    this.hash.update(piece);
    // Bytes past `size` count in the hash (which then fails) but are not kept.
    if (this.slab !== null) this.length += piece.copy(this.slab, this.length, 0, Math.max(0, this.size - this.length));
  }

  /** Gives the buffer back for the next blob. */
  release(): void {
    if (this.slab !== null) releaseSlab(this.slab);
    this.slab = null;
  }

  finish(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/** A larger blob: hashed and appended to the partial file on the main thread, a batch at a time. */
export class FileSink implements BlobSink {
  private readonly hash: Hash;
  private readonly fd: number;
  private position: number;
  /** Taken on the first small piece, given back on close: a reused buffer, not 1 MiB of garbage per file. */
  private batch: Buffer | null = null;
  private batchBytes = 0;
  /** performance.now() when the batch got its first byte. */
  private batchStartedAt = 0;
  private closed = false;

  constructor(
    algorithm: HashAlgorithm,
    size: number,
    path: string,
    readonly prefix: number,
  ) {
    this.hash = newHash(algorithm, size);
    this.fd = openPartialFile(path, prefix, this.hash);
    this.position = prefix;
  }

  append(piece: Buffer): void {
    this.hash.update(piece);
    if (piece.length >= DIRECT_WRITE_MIN_BYTES) {
      // A large piece (a socket read of bulk-get.ts) is written as it is: no copy.
      this.write();
      writeAllAt(this.fd, [piece], this.position);
      this.position += piece.length;
      return;
    }
    const batch = (this.batch ??= takeSlab());
    for (let offset = 0; offset < piece.length;) {
      if (this.batchBytes === 0) this.batchStartedAt = performance.now();
      const copied = piece.copy(batch, this.batchBytes, offset);
      offset += copied;
      this.batchBytes += copied;
      if (this.batchBytes === batch.length) this.write();
    }
    if (this.batchBytes > 0 && performance.now() - this.batchStartedAt >= BATCH_MAX_AGE_MS) this.write();
  }

  finish(): Promise<string> {
    this.write();
    fsyncSync(this.fd);
    this.close();
    return Promise.resolve(this.hash.digest('hex'));
  }

  stop(): Promise<void> {
    if (!this.closed) {
      try {
        this.write();
      } finally {
        this.close();
      }
    }
    return Promise.resolve();
  }

  private write(): void {
    if (this.batchBytes === 0 || this.batch === null) return;
    writeAllAt(this.fd, [this.batch.subarray(0, this.batchBytes)], this.position);
    this.position += this.batchBytes;
    this.batchBytes = 0;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.batch !== null) releaseSlab(this.batch);
    this.batch = null;
    closeSync(this.fd);
  }
}
