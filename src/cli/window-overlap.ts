/**
 * Two windows of one schedule must not overlap: a window still open at the
 * next firing would run two batches at once and make the window's end
 * meaningless. `schedule add|set` and `apply` refuse such a schedule with the
 * firing that shows it (exit 2); `remedy` says what to change, in the words of
 * the caller's input (options or file keys).
 */
import { ValidationError } from '../errors.js';
import type { ScheduleTiming } from '../schedule/schedule-fields.js';
import { findWindowOverlap, windowInWords } from '../schedule/window-words.js';
import { formatTimeInZone } from './output.js';

export function refuseOverlappingWindows(
  timing: ScheduleTiming,
  timezone: string,
  remedy = 'shorten --for or --until, or run less often',
): void {
  const overlap = findWindowOverlap(timing, timezone);
  if (overlap === null) return;
  const words = windowInWords(timing, overlap.firedAt, timezone) ?? '';
  throw new ValidationError(
    `the window of the run at ${formatTimeInZone(overlap.firedAt, timezone)} (${words}) is still open at the next run, ` +
      `${formatTimeInZone(overlap.nextFiring, timezone)}; windows of one schedule must not overlap: ${remedy}`,
  );
}
