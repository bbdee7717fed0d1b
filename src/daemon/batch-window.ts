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

export interface BatchWindowOptions {
  onClose: (end: Date) => void;
}

/** setTimeout's limit (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class BatchWindow {
  private openState = false;
  private end: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly onClose: (end: Date) => void;

  constructor(options: BatchWindowOptions) {
    this.onClose = options.onClose;
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
    this.armTimer();
  }

  /** Closes the window without running `onClose` (the batch ended by itself, or shutdown). */
  close(): void {
    this.openState = false;
    this.end = null;
    this.clearTimer();
  }

  private armTimer(): void {
    this.clearTimer();
    if (!this.end) return;
    const end = this.end;
    const wait = end.getTime() - Date.now();
    if (wait <= 0) {
      this.expire(end);
      return;
    }
    this.timer = setTimeout(
      () => {
        if (Date.now() < end.getTime()) this.armTimer();
        else this.expire(end);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  private expire(end: Date): void {
    this.close();
    this.onClose(end);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
