/**
 * The sink of a large blob (see blob-sink.ts): pieces are copied into
 * batches of 1 MiB and handed to a worker thread (blob-sink-worker.ts) that
 * hashes and appends them, then hands the batch buffer back for reuse. At most
 * IN_FLIGHT_LIMIT_BYTES wait for the worker; then append() asks its caller
 * to wait, so memory stays flat when the disk or the hash is slower than the link.
 */
import { Worker } from 'node:worker_threads';
import { SINK_BATCH_BYTES, type BlobSink, type HashAlgorithm } from './blob-sink.js';

const IN_FLIGHT_LIMIT_BYTES = 2 * 1024 * 1024;

export interface SinkWorkerData {
  algorithm: HashAlgorithm;
  size: number;
  filePath: string;
  prefix: number;
}
export type ToSinkWorker = { type: 'data'; buffer: ArrayBuffer; bytes: number } | { type: 'finish' } | { type: 'stop' };
export type FromSinkWorker =
  | { type: 'ready' }
  | { type: 'stored'; bytes: number; buffer: ArrayBuffer }
  | { type: 'digest'; hex: string }
  | { type: 'stopped' }
  | { type: 'error'; message: string; code?: string };

export class WorkerSink implements BlobSink {
  private readonly worker: Worker;
  /** The batch being filled, and idle batch buffers back from the worker (reused: no garbage). */
  private batch: Buffer | null = null;
  private batchBytes = 0;
  private readonly idle: ArrayBuffer[] = [];
  private inFlight = 0;
  private failure: Error | null = null;
  private ended = false;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private last: { resolve: (hex: string) => void; reject: (error: Error) => void } | null = null;

  constructor(
    algorithm: HashAlgorithm,
    size: number,
    filePath: string,
    readonly prefix: number,
  ) {
    const workerData: SinkWorkerData = { algorithm, size, filePath, prefix };
    this.worker = new Worker(new URL('./blob-sink-worker.js', import.meta.url), { workerData });
    this.worker.on('message', (message: FromSinkWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.ended) this.fail(new Error(`the hash and write thread exited with code ${code}`));
    });
  }

  append(piece: Buffer): Promise<void> | void {
    if (this.failure) return Promise.reject(this.failure);
    // One copy into a reused buffer (cheaper than the garbage of handing over undici's
    // many small ones, which the worker's quiet heap would free late).
    for (let offset = 0; offset < piece.length;) {
      if (this.batch === null) {
        const reused = this.idle.pop();
        this.batch = reused === undefined ? Buffer.allocUnsafeSlow(SINK_BATCH_BYTES) : Buffer.from(reused);
      }
      const copied = piece.copy(this.batch, this.batchBytes, offset);
      offset += copied;
      this.batchBytes += copied;
      if (this.batchBytes === this.batch.length) this.post();
    }
    if (this.inFlight <= IN_FLIGHT_LIMIT_BYTES) return;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  finish(): Promise<string> {
    return this.end('finish');
  }

  async stop(): Promise<void> {
    if (this.ended) return;
    await this.end('stop').catch(() => {});
  }

  private end(type: 'finish' | 'stop'): Promise<string> {
    if (this.failure) {
      this.terminate();
      return Promise.reject(this.failure);
    }
    this.post();
    return new Promise<string>((resolve, reject) => {
      this.last = { resolve, reject };
      const message: ToSinkWorker = { type };
      this.worker.postMessage(message);
    }).finally(() => this.terminate());
  }

  private post(): void {
    if (this.batch === null || this.batchBytes === 0) return;
    const buffer = this.batch.buffer as ArrayBuffer;
    const message: ToSinkWorker = { type: 'data', buffer, bytes: this.batchBytes };
    this.worker.postMessage(message, [buffer]);
    this.inFlight += this.batchBytes;
    this.batch = null;
    this.batchBytes = 0;
  }

  private terminate(): void {
    if (this.ended) return;
    this.ended = true;
    void this.worker.terminate();
  }

  private onMessage(message: FromSinkWorker): void {
    if (message.type === 'stored') {
      this.idle.push(message.buffer);
      this.inFlight -= message.bytes;
      if (this.inFlight <= IN_FLIGHT_LIMIT_BYTES) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.resolve();
      }
    } else if (message.type === 'digest') {
      this.last?.resolve(message.hex);
      this.last = null;
    } else if (message.type === 'stopped') {
      this.last?.resolve('');
      this.last = null;
    } else if (message.type === 'error') {
      const error: NodeJS.ErrnoException = new Error(message.message);
      if (message.code !== undefined) error.code = message.code;
      this.fail(error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(this.failure);
    this.last?.reject(this.failure);
    this.last = null;
  }
}
