/**
 * The speed of one running download, for `hfsched status` (speed and ETA).
 * Bytes received are sampled at each progress report; the speed is measured
 * over the last few seconds so that it follows changes (a throttled mirror, a
 * bandwidth limit set live) instead of averaging the whole download.
 */

const WINDOW_MS = 5000;

interface Sample {
  at: number;
  fetchedBytes: number;
}

export class TransferRate {
  private readonly samples: Sample[] = [];

  /** `fetchedBytes` is cumulative: bytes received since the download started. */
  record(fetchedBytes: number, at: number = Date.now()): void {
    this.samples.push({ at, fetchedBytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second over the last few seconds; 0 before two samples. */
  bytesPerSecond(now: number = Date.now()): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    // Measured up to now, so a stalled download's speed falls to 0.
    const elapsed = Math.max(now, last.at) - first.at;
    if (elapsed <= 0) return 0;
    return Math.round(((last.fetchedBytes - first.fetchedBytes) * 1000) / elapsed);
  }
}
