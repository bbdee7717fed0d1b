/**
 * How many connections ("lanes") one file uses, decided while it downloads:
 * start with one, and keep doubling while the file's total rate grows by at
 * least a third of a lane's share per lane added (a server or CDN that caps each
 * connection). When adding lanes does not pay (the link, the disk or the
 * CPU is the limit) go back to the last count that did, and stay there. A
 * 429, 503 or network error halves the count for the rest of the file.
 * A process-wide cap keeps many files from opening hundreds of sockets.
 */

/** Connections open at once in this process, all files together. */
export const PROCESS_MAX_LANES = 64;
/** How often the rate is sampled; the first sample after a change is skipped (the new lanes ramp up). */
export const LANE_SAMPLE_MS = 250;

/**
 * Lanes added pay when each raises the rate by at least this part of a lane's
 * share (a lenient bar: samples are noisy, and a lane ramps up).
 */
const GAIN_PER_LANE = 0.3;

let processLanes = 0;

/** Takes a process-wide lane slot; `force` takes it even over the cap (each file gets one). */
export function takeProcessLane(force: boolean): boolean {
  if (!force && processLanes >= PROCESS_MAX_LANES) return false;
  processLanes += 1;
  return true;
}

export function releaseProcessLane(): void {
  processLanes = Math.max(0, processLanes - 1);
}

export class LaneController {
  /** Lanes wanted now. */
  target: number;
  private settled: boolean;
  private lastBytes = 0;
  private lastAt = performance.now();
  /** Rate with `baseLanes` lanes, before the last growth. */
  private baseRate = 0;
  private baseLanes = 0;
  private skipNext = true;

  constructor(
    initial: number,
    private readonly max: number,
  ) {
    this.target = Math.max(1, Math.min(initial, max));
    this.settled = this.target >= max;
  }

  /** Called every LANE_SAMPLE_MS with the bytes received so far; returns the lanes wanted. */
  sample(totalBytes: number, now = performance.now()): number {
    const seconds = (now - this.lastAt) / 1000;
    const rate = seconds > 0 ? (totalBytes - this.lastBytes) / seconds : 0;
    this.lastBytes = totalBytes;
    this.lastAt = now;
    if (this.settled) return this.target;
    if (this.skipNext) {
      this.skipNext = false;
      return this.target;
    }
    if (this.baseLanes > 0) {
      const added = this.target - this.baseLanes;
      const share = this.baseRate / this.baseLanes;
      if (rate - this.baseRate < GAIN_PER_LANE * share * added) {
        // More lanes did not pay: back to the count that did.
        this.target = this.baseLanes;
        this.settled = true;
        return this.target;
      }
    }
    this.baseRate = rate;
    this.baseLanes = this.target;
    this.target = Math.min(this.max, this.target * 2);
    this.settled = this.target === this.baseLanes;
    this.skipNext = true;
    return this.target;
  }

  /** The server pushes back (429, 503) or connections fail: fewer lanes from now on. */
  backOff(): void {
    this.target = Math.max(1, Math.floor(this.target / 2));
    this.settled = true;
  }
}
