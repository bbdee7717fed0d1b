/**
 * Publishes a serving mirror in the database (`mirror_status`) so that
 * `hfsched status`, from any shell, shows where it serves and what it has
 * answered: a row at start, the totals when they changed (at most every
 * BEAT_MS) and at least once a minute while idle, the row removed at stop.
 * A failed write is logged and tried again at the next beat: serving never
 * stops for the database.
 */
import { hostname } from 'node:os';
import type { Store } from '../store/index.js';
import type { MirrorMetrics } from './mirror-metrics.js';

const BEAT_MS = 5000;
/** Matches the daemon's idle heartbeat (src/control/liveness.ts judges both). */
const IDLE_BEAT_MS = 60_000;

export class MirrorHeartbeat {
  private readonly key = { hostname: hostname(), pid: process.pid };
  private timer: NodeJS.Timeout | null = null;
  private written = { requests: 0, bytesSent: 0, at: Date.now() };

  constructor(
    private readonly store: Store,
    private readonly metrics: MirrorMetrics,
    private readonly onProblem: (message: string, error: unknown) => void,
  ) {}

  start(url: string): void {
    this.store.mirrors.register({ ...this.key, url, startedAt: new Date() });
    this.timer = setInterval(() => this.beat(), BEAT_MS);
    this.timer.unref();
  }

  private beat(): void {
    const totals = { requests: this.metrics.requestCount, bytesSent: this.metrics.bytesSent };
    const changed = totals.requests !== this.written.requests || totals.bytesSent !== this.written.bytesSent;
    if (!changed && Date.now() - this.written.at < IDLE_BEAT_MS) return;
    try {
      this.store.mirrors.heartbeat(this.key, totals);
      this.written = { ...totals, at: Date.now() };
    } catch (error) {
      this.onProblem('could not write the mirror heartbeat; trying again', error);
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    try {
      this.store.mirrors.release(this.key);
    } catch (error) {
      this.onProblem('could not remove the mirror heartbeat', error);
    }
  }
}
