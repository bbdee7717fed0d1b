/**
 * Time and timers for the schedule trigger and the download window, passed
 * in so that tests run them on a fake clock (test/support/fake-clock.ts)
 * instead of waiting for real minutes to pass.
 */

export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
  /** Runs `callback` after `delayMs`; returns a function that cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};

/** setTimeout's limit (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `callback` once the clock reaches `at` (at once when it already has),
 * however far away `at` is. Returns a function that cancels it.
 */
export function runAt(clock: Clock, at: number, callback: () => void): () => void {
  let cancel: () => void = () => undefined;
  const arm = (): void => {
    const wait = at - clock.now();
    if (wait <= 0) {
      callback();
      return;
    }
    cancel = clock.schedule(arm, Math.min(wait, MAX_TIMER_MS));
  };
  arm();
  return () => cancel();
}
