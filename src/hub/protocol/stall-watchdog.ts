/**
 * Notices a connection that stopped delivering bytes. A socket timeout would
 * also fire while we ourselves hold the reading back (bandwidth limit, disk
 * back-pressure), so the watchdog only counts time spent waiting for the
 * network: callers pause it around their own waits.
 */
import { StallTimeoutError } from '../errors.js';

export class StallWatchdog {
  private lastActivity = performance.now();
  private paused = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (error: StallTimeoutError) => void,
  ) {
    const checkEvery = Math.max(25, Math.min(1000, timeoutMs / 4));
    this.timer = setInterval(() => this.check(), checkEvery);
    // The socket keeps the process alive while it matters; the timer must not.
    this.timer.unref();
  }

  /** Bytes arrived. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /** We stop reading on purpose (limiter, disk); the clock stops. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.lastActivity = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.paused || performance.now() - this.lastActivity < this.timeoutMs) return;
    this.stop();
    this.onStall(new StallTimeoutError(this.timeoutMs));
  }
}
