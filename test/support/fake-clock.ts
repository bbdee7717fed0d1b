/**
 * A clock for in-process tests of the schedule trigger and the download
 * window: time moves only when the test says so, and timers due by then run
 * in time order (the way graphile-worker's tests drive cron on fake timers).
 */
import type { Clock } from '../../src/daemon/clock.js';

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(start: Date) {
    this.time = start.getTime();
  }

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((pending) => pending.id !== timer.id);
    };
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    this.advanceTo(new Date(this.time + ms));
  }

  /** Moves time to `date`, running every timer due by then, in order (timers they add included). */
  advanceTo(date: Date): void {
    const target = date.getTime();
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer.id !== due.id);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = Math.max(this.time, target);
  }
}
