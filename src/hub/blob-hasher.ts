/**
 * Hashes a blob in file order while its chunks are written, possibly out of
 * order: sha256 for LFS files, the git blob sha1 otherwise
 * (docs/hub-protocol.md, "Integrity"). Whoever writes reports each completed write; bytes that
 * continue the hashed prefix are hashed from memory, the rest is read back
 * from the file once the prefix reaches it (page cache, usually).
 *
 * Large blobs are hashed in a worker thread (hash-worker.ts): on a fast link
 * sha256 is the bottleneck, and it then runs in parallel with receiving and
 * writing. Small ones are hashed inline; a thread would cost more than it saves.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { batchBuffers, type BufferPool } from './buffer-pool.js';

export type HashAlgorithm = 'sha256' | 'git-sha1';

/** Blobs from this size on are hashed in a worker thread. */
const WORKER_THRESHOLD_BYTES = 8 * 1024 * 1024;
/** Bytes handed to the worker and not hashed yet, at most: memory stays flat if the hash is slower than the link. */
const IN_FLIGHT_LIMIT_BYTES = 16 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;

export interface HashWorkerData {
  algorithm: HashAlgorithm;
  size: number;
  filePath: string;
}
export type ToHashWorker =
  | { type: 'data'; buffer: ArrayBuffer; byteOffset: number; length: number }
  | { type: 'file'; from: number; to: number }
  | { type: 'finish' };
/** `hashed` hands the buffer back, for reuse. */
export type FromHashWorker =
  | { type: 'hashed'; bytes: number; buffer: ArrayBuffer }
  | { type: 'digest'; hex: string }
  | { type: 'error'; message: string };

export interface BlobHasher {
  /**
   * Bytes [offset, offset + data.length) are on disk, and so are bytes
   * [0, contiguous). The hasher takes `data` over (it must own its
   * ArrayBuffer: it may travel to the worker) and gives it back to the
   * buffer pool when done. The promise, when there is one, asks the writer to
   * wait (the hash is behind).
   */
  written(offset: number, data: Buffer, contiguous: number): Promise<void> | void;
  /** Bytes [0, contiguous) are on disk (e.g. left by an earlier run). */
  catchUp(contiguous: number): void;
  /** Once every byte is on disk: the hex digest. */
  digest(): Promise<string>;
  /** Frees the thread; safe to call more than once, and after digest(). */
  close(): void;
}

abstract class FollowingHasher implements BlobHasher {
  /** Bytes [0, next) have been given to the hash. */
  protected next = 0;

  constructor(
    protected readonly size: number,
    protected readonly filePath: string,
    protected readonly pool: BufferPool,
  ) {}

  written(offset: number, data: Buffer, contiguous: number): Promise<void> | void {
    let wait: Promise<void> | void = undefined;
    if (offset === this.next && data.length > 0) {
      // Read the length first: handing the buffer to the worker empties it.
      this.next += data.length;
      wait = this.hashBuffer(data);
    } else {
      // Out of order: hashed later from the file.
      this.pool.release(data);
    }
    this.catchUp(contiguous);
    return wait;
  }

  catchUp(contiguous: number): void {
    if (contiguous <= this.next) return;
    this.hashFile(this.next, contiguous);
    this.next = contiguous;
  }

  digest(): Promise<string> {
    this.catchUp(this.size);
    return this.finish();
  }

  abstract close(): void;
  protected abstract hashBuffer(data: Buffer): Promise<void> | void;
  protected abstract hashFile(from: number, to: number): void;
  protected abstract finish(): Promise<string>;
}

class InlineHasher extends FollowingHasher {
  private readonly hash: Hash;

  constructor(algorithm: HashAlgorithm, size: number, filePath: string, pool: BufferPool) {
    super(size, filePath, pool);
    this.hash = createHash(algorithm === 'sha256' ? 'sha256' : 'sha1');
    if (algorithm === 'git-sha1') this.hash.update(`blob ${size}\0`);
  }

  protected hashBuffer(data: Buffer): void {
    this.hash.update(data);
    this.pool.release(data);
  }

  /** Synchronous: only small blobs come here, and reads in order keep the hash in order. */
  protected hashFile(from: number, to: number): void {
    const fd = openSync(this.filePath, 'r');
    try {
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, to - from));
      for (let position = from; position < to;) {
        const bytes = readSync(fd, buffer, 0, Math.min(buffer.length, to - position), position);
        if (bytes === 0) throw new Error(`${this.filePath} ends at ${position}, before ${to}`);
        this.hash.update(buffer.subarray(0, bytes));
        position += bytes;
      }
    } finally {
      closeSync(fd);
    }
  }

  protected finish(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  close(): void {}
}

class WorkerHasher extends FollowingHasher {
  private readonly worker: Worker;
  private inFlight = 0;
  private failure: Error | null = null;
  private closed = false;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private digestWaiter: { resolve: (hex: string) => void; reject: (error: Error) => void } | null = null;

  constructor(algorithm: HashAlgorithm, size: number, filePath: string, pool: BufferPool) {
    super(size, filePath, pool);
    const workerData: HashWorkerData = { algorithm, size, filePath };
    this.worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData });
    this.worker.on('message', (message: FromHashWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`hash worker exited with code ${code}`));
    });
  }

  protected hashBuffer(data: Buffer): Promise<void> | void {
    if (this.failure) return Promise.reject(this.failure);
    const message: ToHashWorker = {
      type: 'data',
      buffer: data.buffer as ArrayBuffer,
      byteOffset: data.byteOffset,
      length: data.length,
    };
    this.worker.postMessage(message, [data.buffer as ArrayBuffer]);
    this.inFlight += data.length;
    if (this.inFlight <= IN_FLIGHT_LIMIT_BYTES) return;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  protected hashFile(from: number, to: number): void {
    const message: ToHashWorker = { type: 'file', from, to };
    this.worker.postMessage(message);
  }

  protected finish(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      const message: ToHashWorker = { type: 'finish' };
      this.worker.postMessage(message);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
    this.fail(new Error('hashing stopped'));
  }

  private onMessage(message: FromHashWorker): void {
    if (message.type === 'hashed') {
      this.pool.release(message.buffer);
      this.inFlight -= message.bytes;
      if (this.inFlight <= IN_FLIGHT_LIMIT_BYTES) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.resolve();
      }
    } else if (message.type === 'digest') {
      this.digestWaiter?.resolve(message.hex);
      this.digestWaiter = null;
    } else {
      this.fail(new Error(`hashing ${this.filePath}: ${message.message}`));
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(this.failure);
    this.digestWaiter?.reject(this.failure);
    this.digestWaiter = null;
  }
}

/** A hasher for a blob of `size` bytes being written to `filePath`. */
export function createBlobHasher(
  algorithm: HashAlgorithm,
  size: number,
  filePath: string,
  pool: BufferPool = batchBuffers,
): BlobHasher {
  return size >= WORKER_THRESHOLD_BYTES
    ? new WorkerHasher(algorithm, size, filePath, pool)
    : new InlineHasher(algorithm, size, filePath, pool);
}
