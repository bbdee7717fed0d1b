/**
 * Reused 1 MiB buffers for the bytes on their way from the network to the
 * disk and the hash. Allocating a fresh one per MiB makes V8 collect garbage
 * over and over (each is memory outside its heap, which it counts), which on
 * a fast link costs as much CPU as the hash itself. Buffers travel to the hash
 * worker and come back; idle ones are kept up to a bound.
 */
export const POOLED_BUFFER_BYTES = 1024 * 1024;
const MAX_IDLE_BUFFERS = 16;

export class BufferPool {
  private readonly idle: ArrayBuffer[] = [];
  /** The memory this pool handed out: nothing else is ever adopted. */
  private readonly own = new WeakSet<ArrayBuffer>();

  /** A buffer of POOLED_BUFFER_BYTES that owns its ArrayBuffer (it may be transferred to a worker). */
  acquire(): Buffer {
    const reused = this.idle.pop();
    if (reused !== undefined) return Buffer.from(reused);
    const fresh = Buffer.allocUnsafeSlow(POOLED_BUFFER_BYTES);
    this.own.add(fresh.buffer as ArrayBuffer);
    return fresh;
  }

  /** Gives back a buffer (or a view of one) taken from acquire(); anything else is left to the garbage collector. */
  release(buffer: ArrayBuffer | Uint8Array): void {
    const whole = buffer instanceof ArrayBuffer ? buffer : buffer.buffer;
    if (!(whole instanceof ArrayBuffer) || !this.own.has(whole)) return;
    if (this.idle.length < MAX_IDLE_BUFFERS && !this.idle.includes(whole)) this.idle.push(whole);
  }
}

/** The pool every download of the process shares. */
export const batchBuffers = new BufferPool();
