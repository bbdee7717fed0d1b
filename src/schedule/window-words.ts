/**
 * A schedule's download window as people check it: where it ends in words
 * ("until 01:00 the next day, 19 h"), so that a 19 h or a 24 h window is no
 * surprise, and whether two windows of one schedule would overlap (a window
 * longer than the time to the next firing), which `schedule add|set` refuse.
 */
import { formatClock } from './clock-format.js';
import type { ScheduleTiming } from './schedule-fields.js';
import { nextRunTimes, windowEndFor } from './schedule-timing.js';

/** Firings looked at for an overlap: enough to meet every gap of a cron pattern over weeks. */
const FIRINGS_CHECKED = 200;

/** "19 h", "4 h 30 min", "45 min". */
export function lengthInWords(milliseconds: number): string {
  const totalMinutes = Math.round(milliseconds / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** The calendar date of `date` in `timeZone`, as days since 1970 (to count the days between two dates there). */
function dayNumber(date: Date, timeZone: string): number {
  const [year = 0, month = 1, day = 1] = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(date)
    .split('-')
    .map(Number);
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

/** "the same day", "the next day", "3 days later". */
function dayInWords(start: Date, end: Date, timeZone: string): string {
  const days = dayNumber(end, timeZone) - dayNumber(start, timeZone);
  if (days === 0) return 'the same day';
  if (days === 1) return 'the next day';
  return `${days} days later`;
}

/**
 * "until 01:00 the next day, 19 h": the end of the window of a firing at
 * `firedAt`, in `timeZone`; null when the schedule has no window.
 */
export function windowInWords(schedule: ScheduleTiming, firedAt: Date, timeZone: string): string | null {
  const end = windowEndFor(schedule, firedAt, timeZone);
  if (end === null) return null;
  return `until ${formatClock(end, timeZone)} ${dayInWords(firedAt, end, timeZone)}, ${lengthInWords(end.getTime() - firedAt.getTime())}`;
}

export interface WindowOverlap {
  firedAt: Date;
  windowEnd: Date;
  nextFiring: Date;
}

/** The first firing (after `from`) whose window is still open at the next firing, or null when none is. */
export function findWindowOverlap(
  schedule: ScheduleTiming,
  timeZone: string,
  from: Date = new Date(),
): WindowOverlap | null {
  if (schedule.windowEnd === null && schedule.windowMinutes === null) return null;
  const firings = nextRunTimes(schedule, timeZone, FIRINGS_CHECKED, from);
  for (let index = 0; index + 1 < firings.length; index += 1) {
    const firedAt = firings[index]!;
    const nextFiring = firings[index + 1]!;
    const windowEnd = windowEndFor(schedule, firedAt, timeZone);
    if (windowEnd !== null && windowEnd > nextFiring) return { firedAt, windowEnd, nextFiring };
  }
  return null;
}
