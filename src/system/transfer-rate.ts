/**
 * The speed of a transfer, from samples of its cumulative byte count: the
 * one meter behind `hfsched status` (the daemon's running downloads) and
 * the bars of `hfsched pull` (the total and each file). The speed is
 * measured over the last few seconds so that it follows changes (a
 * throttled mirror, a bandwidth limit set live) instead of averaging the
 * whole download, and up to now, so that a stalled transfer falls to 0.
 * Times are performance.now() milliseconds: a wall clock set back or
 * forward must not make a speed.
 */

const WINDOW_MS = 5000;
/** Less than this between the first sample and now says nothing yet (two reports close together would be a spike). */
const MIN_SPAN_MS = 200;

interface Sample {
  at: number;
  bytes: number;
}

export class TransferRate {
  private readonly samples: Sample[] = [];

  /** `bytes` is cumulative: bytes received (or in place) since the transfer started. */
  record(bytes: number, at: number = performance.now()): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second over the last few seconds, rounded; 0 before two samples MIN_SPAN_MS apart. */
  bytesPerSecond(now: number = performance.now()): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const elapsed = Math.max(now, last.at) - first.at;
    if (elapsed < MIN_SPAN_MS) return 0;
    return Math.round(((last.bytes - first.bytes) * 1000) / elapsed);
  }
}
