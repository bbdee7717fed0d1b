/**
 * The download window opened by a schedule's firing.
 *
 * - With an end (`--until HH:MM`, `--for 4h`), the window is open from the
 *   firing until that end; at the end `onClose` runs (the daemon then stops
 *   running downloads and drops waiting ones).
 * - Without an end, the window stays open while the batch it started is
 *   still running; the daemon closes it when its queue becomes idle, so that
 *   a model added in the afternoon waits for the next firing instead of
 *   starting at once.
 *
 * A firing while a window is open moves the end to the new firing's end.
 */

import { runAt, systemClock, type Clock } from './clock.js';

export interface BatchWindowOptions {
  onClose: (end: Date) => void;
  /** Default: the system clock. */
  clock?: Clock;
}

export class BatchWindow {
  private openState = false;
  private end: Date | null = null;
  private cancelTimer: (() => void) | null = null;
  private readonly onClose: (end: Date) => void;
  private readonly clock: Clock;

  constructor(options: BatchWindowOptions) {
    this.onClose = options.onClose;
    this.clock = options.clock ?? systemClock;
  }

  isOpen(): boolean {
    return this.openState;
  }

  /** When the window closes; null while closed or when it has no end. */
  endsAt(): Date | null {
    return this.openState ? this.end : null;
  }

  /** Opens (or extends) the window until `end`; null means until the batch is done. */
  open(end: Date | null): void {
    this.openState = true;
    this.end = end;
    this.clearTimer();
    if (end !== null) this.cancelTimer = runAt(this.clock, end.getTime(), () => this.expire(end));
  }

  /** Closes the window without running `onClose` (the batch ended by itself, or shutdown). */
  close(): void {
    this.openState = false;
    this.end = null;
    this.clearTimer();
  }

  private expire(end: Date): void {
    this.close();
    this.onClose(end);
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }
}
