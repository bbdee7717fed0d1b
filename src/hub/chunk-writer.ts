/**
 * Writes the bytes of one connection at their offsets in the partial file.
 * Network chunks (tens of KB) are gathered into 1 MiB batches, one batch is
 * written while the next fills, and the caller waits when both are busy, so
 * memory per connection stays bounded whatever the file size. After each
 * write completes, `onWritten` learns which bytes are now on disk (to record
 * progress and feed the hash); the batch buffer is not touched again after.
 */
import type { FileHandle } from 'node:fs/promises';

const BATCH_BYTES = 1024 * 1024;

export type OnWritten = (offset: number, data: Buffer) => Promise<void> | void;

export class ChunkWriter {
  private batch: Buffer | null = null;
  private batchLength = 0;
  private batchOffset: number;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly handle: FileHandle,
    offset: number,
    private readonly onWritten: OnWritten,
  ) {
    this.batchOffset = offset;
  }

  /** Takes `chunk`; waits when a write is already in flight and the batch is full. */
  async push(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.batch === null) {
        // A buffer of its own (not from the pool): the hash worker may take it over.
        this.batch = Buffer.allocUnsafeSlow(BATCH_BYTES);
        this.batchLength = 0;
      }
      const taken = rest.copy(this.batch, this.batchLength);
      this.batchLength += taken;
      rest = rest.subarray(taken);
      if (this.batchLength === BATCH_BYTES) await this.startWrite();
    }
  }

  /** Writes what is gathered and waits for every write. */
  async flush(): Promise<void> {
    if (this.batchLength > 0) await this.startWrite();
    await this.settle();
  }

  /** Waits for the write in flight; its error, if any, is thrown here. */
  private async settle(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = null;
    if (inFlight !== null) await inFlight;
  }

  private async startWrite(): Promise<void> {
    await this.settle();
    const data = this.batch!.subarray(0, this.batchLength);
    const offset = this.batchOffset;
    this.batch = null;
    this.batchOffset += this.batchLength;
    this.batchLength = 0;
    const write = this.writeAll(data, offset).then(() => this.onWritten(offset, data));
    // Awaited by the next settle(); mark handled now so a failure is not "unhandled" meanwhile.
    write.catch(() => {});
    this.inFlight = write;
  }

  private async writeAll(data: Buffer, offset: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(data, written, data.length - written, offset + written);
      written += bytesWritten;
    }
  }
}
