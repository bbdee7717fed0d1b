/**
 * Writes the bytes of one connection at their offsets in the partial file.
 * Network chunks (tens of KB) are gathered into 1 MiB batches; while one
 * batch fills, up to `maxInFlight` are being written (so a fast link does not
 * wait on each write), and the caller waits when they are all busy, so memory
 * per connection stays bounded whatever the file size. `onWritten` learns, in file order,
 * which bytes are on disk (to record progress and feed the hash) and takes
 * the batch over: it gives it back to the pool (buffer-pool.ts) when done.
 */
import type { FileHandle } from 'node:fs/promises';
import { batchBuffers } from './buffer-pool.js';

/** Below this, the rest of a range gets a buffer of its own size rather than a pooled 1 MiB one. */
const SMALL_TAIL_BYTES = 256 * 1024;

export type OnWritten = (offset: number, data: Buffer) => Promise<void> | void;

/** Where the bytes of one range go: a file (ChunkWriter) or memory (MemoryWriter). */
export interface RangeWriter {
  /** Takes `chunk` (the caller may reuse it once this resolves). */
  push(chunk: Buffer): Promise<void>;
  /** Waits until everything pushed is stored and reported. */
  flush(): Promise<void>;
}

export type OpenRangeWriter = (offset: number, end: number, onWritten: OnWritten) => RangeWriter;

/**
 * Writes to one file at a time, at most `capacity`, whatever the number of
 * connections: the kernel serialises writes to a file anyway (its inode
 * lock), and writers queued there spin and burn CPU instead of waiting here.
 */
export class FileWriteGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly capacity = 2) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active -= 1;
    }
  }
}

export class ChunkWriter implements RangeWriter {
  private batch: Buffer | null = null;
  private batchLength = 0;
  private batchOffset: number;
  /** Each resolves once its batch is written and reported, in order. */
  private readonly inFlight: Promise<void>[] = [];
  /** The last report, so the next one waits for it (reports stay in file order). */
  private lastReport: Promise<void> = Promise.resolve();

  /**
   * @param offset where the first byte goes
   * @param end where this connection's bytes stop (exclusive): a small file gets a small batch buffer
   * @param maxInFlight batches written at once; 1 keeps the file's length equal to the bytes
   *   written in order (a file fetched in one piece is resumed from its length)
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly gate: FileWriteGate,
    offset: number,
    private readonly end: number,
    private readonly onWritten: OnWritten,
    private readonly maxInFlight: number,
  ) {
    this.batchOffset = offset;
  }

  /** Takes `chunk`; waits when `maxInFlight` batches are being written. */
  async push(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.batch === null) {
        // A buffer that owns its memory (the hash worker may take it over): a reused
        // 1 MiB one, or an exact one for the last bytes of a small file.
        const left = this.end - this.batchOffset;
        this.batch = left >= SMALL_TAIL_BYTES ? batchBuffers.acquire() : Buffer.allocUnsafeSlow(Math.max(1, left));
        this.batchLength = 0;
      }
      const taken = rest.copy(this.batch, this.batchLength);
      this.batchLength += taken;
      rest = rest.subarray(taken);
      if (this.batchLength === this.batch.length || this.batchOffset + this.batchLength === this.end)
        await this.startWrite();
    }
  }

  /** Writes what is gathered and waits for every write; the first write error is thrown here. */
  async flush(): Promise<void> {
    if (this.batchLength > 0) this.startWriteNow();
    const pending = this.inFlight.splice(0);
    const results = await Promise.allSettled(pending);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  private async startWrite(): Promise<void> {
    if (this.inFlight.length >= this.maxInFlight) await this.inFlight.shift();
    this.startWriteNow();
  }

  private startWriteNow(): void {
    const data = this.batch!.subarray(0, this.batchLength);
    const offset = this.batchOffset;
    this.batch = null;
    this.batchOffset += this.batchLength;
    this.batchLength = 0;
    const written = this.writeAll(data, offset);
    const previous = this.lastReport;
    const reported = Promise.all([written, previous]).then(() => this.onWritten(offset, data));
    // Awaited later (startWrite, flush); marked handled now so a failure is not "unhandled" meanwhile.
    reported.catch(() => {});
    this.lastReport = reported;
    this.inFlight.push(reported);
  }

  private writeAll(data: Buffer, offset: number): Promise<void> {
    return this.gate.run(async () => {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.handle.write(data, written, data.length - written, offset + written);
        written += bytesWritten;
      }
    });
  }
}
