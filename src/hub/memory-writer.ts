/**
 * The sink of a small blob: its bytes are gathered in memory at their
 * offsets, verified, and only then written to disk, in one go. For files of
 * a few KB (configs, tokenizers, the thousands of shards of some repos) the
 * partial-file machinery (lock, `.incomplete`, several writes) costs more
 * than the transfer itself, and a cut transfer simply starts again.
 */
import type { OnWritten, RangeWriter } from './chunk-writer.js';

export class MemoryWriter implements RangeWriter {
  private position: number;

  constructor(
    private readonly target: Buffer,
    offset: number,
    private readonly onWritten: OnWritten,
  ) {
    this.position = offset;
  }

  async push(chunk: Buffer): Promise<void> {
    const offset = this.position;
    chunk.copy(this.target, offset);
    this.position += chunk.length;
    await this.onWritten(offset, this.target.subarray(offset, this.position));
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
