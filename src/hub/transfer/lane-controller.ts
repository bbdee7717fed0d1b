/**
 * How many connections ("lanes") one file uses, and how many files of a
 * snapshot run at once, decided while they download. Start with few; on the
 * first sample after the first bytes, unless each connection already runs
 * faster than any CDN cap,
 * open wide at once: as many as allowed (a CDN that caps each connection:
 * waiting to double step by step cost a 256 MiB file most of its time).
 * Then keep what paid: when the wide count did not raise the rate by at least
 * a third of a connection's share per connection added (the link, the disk or
 * the CPU is the limit), go down to as many as the rate measured needs at the
 * old rate per connection; while it pays, keep doubling. A 429, 503 or
 * network error halves the count for the rest of the file.
 *
 * Connections come out of budgets (ConnectionBudget): one per snapshot,
 * shared by its files and their lanes (16 by default: no more per host than
 * aria2c's most), within the runtime's own (hub-runtime.ts: one per process).
 */

/** Connections open at once through one HubRuntime (the daemon's, a pull's), all snapshots together. */
export const PROCESS_MAX_CONNECTIONS = 64;
/**
 * Connections of one snapshot, its files and their lanes together: its bytes
 * come from one Hub and one CDN host, so this is also the most per host.
 */
export const SNAPSHOT_MAX_CONNECTIONS = 16;
/** How often the rate is sampled; the first sample after a change is skipped (the new lanes ramp up). */
const LANE_SAMPLE_MS = 250;
/**
 * The first sample: early, as the slowest part of a capped file is its start.
 * The first verdict (open wide or not) comes one sample after the first bytes.
 */
const FIRST_SAMPLE_MS = 100;
/**
 * Until that first verdict, samples come this often: 50 ms of bytes tell a
 * capped connection (about 1 MB at 20 MB/s) from a fast one, and waiting a
 * whole LANE_SAMPLE_MS for it kept a 256 MiB file under a cap on one
 * connection for a quarter of a second more, a seventh of its time.
 */
const FIRST_VERDICT_SAMPLE_MS = 50;

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

/**
 * Samples `controller` FIRST_SAMPLE_MS after the start, every
 * FIRST_VERDICT_SAMPLE_MS until its first verdict, then every
 * LANE_SAMPLE_MS, with the bytes received so far and hands the count it
 * wants to `grow`, which starts what is missing (lanes of a file, files of a
 * snapshot). The timer never keeps the process alive. Returns the function
 * that stops it.
 */
export function sampleEvery(
  controller: LaneController,
  receivedBytes: () => number,
  grow: (wanted: number) => void,
): () => void {
  let timer: NodeJS.Timeout;
  let stopped = false;
  const tick = (): void => {
    grow(controller.sample(receivedBytes()));
    // `grow` may have stopped the sampling (the last file started, say).
    if (!stopped) timer = setTimeout(tick, controller.judged ? LANE_SAMPLE_MS : FIRST_VERDICT_SAMPLE_MS).unref();
  };
  timer = setTimeout(tick, FIRST_SAMPLE_MS).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * A number of connections that may be open at once. A budget with a parent
 * also takes from it: a snapshot's from the process's.
 */
export class ConnectionBudget {
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly parent: ConnectionBudget | null = null,
  ) {}

  /** Takes a connection; `force` takes it even over the limit (each file gets one, so none waits for ever). */
  take(force: boolean): boolean {
    if (!force && !this.hasRoom()) return false;
    this.used += 1;
    this.parent?.take(true);
    return true;
  }

  /** Whether one more connection fits, here and in the parent. */
  hasRoom(): boolean {
    return this.used < this.limit && (this.parent?.hasRoom() ?? true);
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
    this.parent?.release();
  }
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
  private skipNext = false;
  /** Whether the first bytes arrived (the sample after them gives the first verdict), and whether it was given. */
  private primed = false;
  private opened = false;
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

  /** Whether the first verdict (open wide or not) was given; a controller that starts at its most has none to give. */
  get judged(): boolean {
    return this.opened || this.settled;
  }

  /** Called by sampleEvery with the bytes received so far; returns the lanes wanted. */
  sample(totalBytes: number, now = performance.now()): number {
    const seconds = (now - this.lastAt) / 1000;
    const rate = seconds > 0 ? (totalBytes - this.lastBytes) / seconds : 0;
    if (this.settled) return this.record(totalBytes, now);
    if (!this.opened) {
      // Judged on a whole sample after the first bytes: the time to connect and to be answered is not the link's rate.
      if (!this.primed) {
        if (totalBytes > 0) this.primed = true;
        return this.record(totalBytes, now);
      }
      this.record(totalBytes, now);
      return this.openWide(rate);
    }
    this.record(totalBytes, now);
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
        // More lanes did not pay (fully): as many as the rate measured needs at the old rate per lane.
        const needed = share > 0 ? Math.ceil(measured / share) : this.baseLanes;
        this.target = Math.max(this.baseLanes, Math.min(this.target, needed));
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

  /**
   * The first verdict, on the first bytes: each lane as fast as no CDN cap
   * allows settles here; slower lanes (a cap, most likely) open wide at once,
   * up to the most allowed, and the next verdicts judge whether that paid.
   */
  private openWide(rate: number): number {
    this.opened = true;
    if (rate / this.target >= FAST_LANE_BYTES_PER_SECOND || this.target >= this.max) {
      this.settled = true;
      return this.target;
    }
    this.baseRate = rate;
    this.baseLanes = this.target;
    this.target = this.max;
    this.skipNext = true;
    return this.target;
  }

  private record(totalBytes: number, now: number): number {
    this.lastBytes = totalBytes;
    this.lastAt = now;
    return this.target;
  }

  /** The server pushes back (429, 503) or connections fail: fewer lanes from now on. */
  backOff(): void {
    this.target = Math.max(1, Math.floor(this.target / 2));
    this.opened = true;
    this.settled = true;
  }
}
