/**
 * The read buffers of a file being sent (file-answer.ts): two per
 * connection. Large reads cost fewer reads and wake-ups per GiB (one client
 * got about a third more MB/s, for less CPU, with 1 MiB than with 256 KiB),
 * but every connection holds its two buffers for as long as it is sent to.
 * So large buffers are handed out under a fixed budget shared by the whole
 * mirror, and connections beyond it read 256 KiB at a time: memory stays
 * bounded by the connection count, whatever the files' sizes. A buffer is
 * never larger than the bytes it is for.
 */

export const SMALL_READ_BYTES = 256 * 1024;
export const LARGE_READ_BYTES = 1024 * 1024;
/** What the large buffers of all connections may take together: two buffers each for 2 connections. */
export const LARGE_READS_BUDGET_BYTES = 4 * 1024 * 1024;

export interface ReadBuffers {
  buffers: [Buffer, Buffer];
  /** Gives the buffers' share of the budget back (once the last read into them is done). */
  release(): void;
}

export class ReadBufferBudget {
  private largeBytesHeld = 0;

  constructor(private readonly budgetBytes = LARGE_READS_BUDGET_BYTES) {}

  /** Two buffers to send `length` bytes with. */
  take(length: number): ReadBuffers {
    const large = Math.min(LARGE_READ_BYTES, length);
    const fits = large > SMALL_READ_BYTES && this.largeBytesHeld + 2 * large <= this.budgetBytes;
    const size = fits ? large : Math.min(SMALL_READ_BYTES, length);
    const held = fits ? 2 * size : 0;
    this.largeBytesHeld += held;
    let released = false;
    return {
      buffers: [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)],
      release: () => {
        if (released) return;
        released = true;
        this.largeBytesHeld -= held;
      },
    };
  }
}
