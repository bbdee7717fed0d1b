/**
 * Notices a connection that stopped delivering bytes. A socket timeout would
 * also fire while we ourselves hold the reading back (bandwidth limit, disk
 * back-pressure), so the watchdog only counts time spent waiting for the
 * network: callers pause it around their own waits.
 *
 * Every request has one, so the watchdogs of one check period share one
 * interval timer: a model of thousands of small files would otherwise set
 * and clear a timer per file.
 */
import { StallTimeoutError } from '../errors.js';

/** The watchdogs checked every N ms, and their timer (running while any is). */
interface Ticker {
  watchdogs: Set<StallWatchdog>;
  timer: NodeJS.Timeout | null;
}

const tickers = new Map<number, Ticker>();

export class StallWatchdog {
  private lastActivity = performance.now();
  private paused = false;
  private readonly ticker: Ticker;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (error: StallTimeoutError) => void,
  ) {
    const checkEvery = Math.max(25, Math.min(1000, timeoutMs / 4));
    let ticker = tickers.get(checkEvery);
    if (ticker === undefined) {
      ticker = { watchdogs: new Set(), timer: null };
      tickers.set(checkEvery, ticker);
    }
    this.ticker = ticker;
    ticker.watchdogs.add(this);
    if (ticker.timer === null) {
      const watched = ticker.watchdogs;
      ticker.timer = setInterval(() => {
        for (const watchdog of watched) watchdog.check();
      }, checkEvery);
      // The socket keeps the process alive while it matters; the timer must not.
      ticker.timer.unref();
    }
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
    const ticker = this.ticker;
    if (!ticker.watchdogs.delete(this) || ticker.watchdogs.size > 0 || ticker.timer === null) return;
    clearInterval(ticker.timer);
    ticker.timer = null;
  }

  private check(): void {
    if (this.paused || performance.now() - this.lastActivity < this.timeoutMs) return;
    this.stop();
    this.onStall(new StallTimeoutError(this.timeoutMs));
  }
}
