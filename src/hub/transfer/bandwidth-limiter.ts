/**
 * One bandwidth limit for everything a process downloads
 * (`download.bandwidth_limit`). A virtual clock: each read reserves the time
 * its bytes take at the allowed rate, after the reservations before it, and
 * waits until its slot starts. Reads are served in order (fair between
 * connections), the average rate never exceeds the limit, and a burst of at
 * most BURST_MS worth of bytes passes at once after an idle period. Waiting
 * readers stop pulling from their sockets, so TCP slows the sender down.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const BURST_MS = 250;

export class BandwidthLimiter {
  private rate: number;
  /** When, in ms (performance.now), the reserved bytes so far will have gone through. */
  private clock = -Infinity;

  /** @param bytesPerSecond 0 means no limit. */
  constructor(bytesPerSecond: number) {
    this.rate = sanitize(bytesPerSecond);
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  /** Changes the limit for reads from now on (the daemon applies a new setting without a restart). */
  setRate(bytesPerSecond: number): void {
    const rate = sanitize(bytesPerSecond);
    if (rate === this.rate) return;
    this.rate = rate;
    this.clock = -Infinity;
  }

  /** Reserves `bytes` and returns how long to wait before using them, in ms (0: go on). */
  reserve(bytes: number): number {
    if (this.rate === 0) return 0;
    const now = performance.now();
    const start = Math.max(this.clock, now - BURST_MS);
    this.clock = start + (bytes / this.rate) * 1000;
    return Math.max(0, start - now);
  }

  /** Waits until `bytes` may be used. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(bytes);
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : undefined);
  }
}

function sanitize(bytesPerSecond: number): number {
  return Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? bytesPerSecond : 0;
}
