/**
 * How many connections ("lanes") one file uses, decided while it downloads:
 * start with one; unless each lane already runs faster than any CDN cap,
 * keep doubling while the file's total rate (two samples) grows by at
 * least a third of a lane's share per lane added (a server or CDN that caps each
 * connection). When adding lanes does not pay (the link, the disk or the
 * CPU is the limit) go back to the last count that did, and stay there. A
 * 429, 503 or network error halves the count for the rest of the file.
 * A process-wide cap keeps many files from opening hundreds of sockets.
 */

/** Connections open at once in this process, all files together. */
export const PROCESS_MAX_LANES = 64;
/** How often the rate is sampled; the first sample after a change is skipped (the new lanes ramp up). */
const LANE_SAMPLE_MS = 250;

/**
 * Lanes added pay when each raises the rate by at least this part of a lane's
 * share (a lenient bar: samples are noisy, and a lane ramps up).
 */
const GAIN_PER_LANE = 0.3;
/**
 * A lane faster than this is not held back by a per-connection cap (CDNs cap
 * at about 40-60 MB/s): more lanes would only add requests and CPU.
 */
const FAST_LANE_BYTES_PER_SECOND = 100_000_000;
/** Samples averaged to judge a change: one alone is too noisy on a busy machine. */
const SAMPLES_PER_VERDICT = 2;

let processLanes = 0;

/**
 * Samples `controller` every LANE_SAMPLE_MS with the bytes received so far and
 * hands the count it wants to `grow`, which starts what is missing (lanes of
 * a file, files of a snapshot). The timer never keeps the process alive.
 * Returns the function that stops it.
 */
export function sampleEvery(
  controller: LaneController,
  receivedBytes: () => number,
  grow: (wanted: number) => void,
): () => void {
  const timer = setInterval(() => grow(controller.sample(receivedBytes())), LANE_SAMPLE_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Takes a process-wide lane slot; `force` takes it even over the cap (each file gets one). */
export function takeProcessLane(force: boolean): boolean {
  if (!force && processLanes >= PROCESS_MAX_LANES) return false;
  processLanes += 1;
  return true;
}

/** Whether the process-wide cap leaves room for one more connection. */
export function processLanesLeft(): boolean {
  return processLanes < PROCESS_MAX_LANES;
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
  private verdictBytes = 0;
  private verdictSeconds = 0;
  private verdictSamples = 0;

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
    this.verdictBytes += rate * seconds;
    this.verdictSeconds += seconds;
    this.verdictSamples += 1;
    if (this.verdictSamples < SAMPLES_PER_VERDICT) return this.target;
    const measured = this.verdictSeconds > 0 ? this.verdictBytes / this.verdictSeconds : 0;
    this.verdictBytes = 0;
    this.verdictSeconds = 0;
    this.verdictSamples = 0;
    if (this.baseLanes > 0) {
      const added = this.target - this.baseLanes;
      const share = this.baseRate / this.baseLanes;
      if (measured - this.baseRate < GAIN_PER_LANE * share * added) {
        // More lanes did not pay: back to the count that did.
        this.target = this.baseLanes;
        this.settled = true;
        return this.target;
      }
    }
    if (measured / this.target >= FAST_LANE_BYTES_PER_SECOND) {
      this.settled = true;
      return this.target;
    }
    this.baseRate = measured;
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
