/**
 * When a schedule fires and when its window closes. Pure functions over a
 * schedule's fields and a time zone, so the daemon (which arms croner jobs)
 * and the CLI (which shows the next runs) agree on every date.
 *
 * Patterns use croner's syntax (https://croner.56k.guru/usage/pattern/):
 * 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds
 * first. Day of week is 0 = Sunday .. 6 = Saturday (7 is Sunday too).
 */
import { Cron } from 'croner';
import { formatDuration } from '../system/human-units.js';
import { DAY_NAMES, parseTimeOfDay } from './schedule-format.js';
import type { ScheduleWhen, ScheduleWindow } from './schedule-fields.js';

/** The croner pattern the schedule fires on. */
export function cronPatternFor(schedule: ScheduleWhen): string {
  switch (schedule.type) {
    case 'daily': {
      const { hour, minute } = parseTimeOfDay(schedule.time);
      return `${minute} ${hour} * * *`;
    }
    case 'weekly': {
      const { hour, minute } = parseTimeOfDay(schedule.time);
      return `${minute} ${hour} * * ${schedule.dayOfWeek}`;
    }
    case 'custom':
      return schedule.cronPattern.trim();
  }
}

/** A croner job that never runs: only used to compute dates. */
function cronFor(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, paused: true });
}

/** The next `count` firings strictly after `from`, in `timezone` (an IANA zone). */
export function nextRunTimes(schedule: ScheduleWhen, timezone: string, count: number, from: Date = new Date()): Date[] {
  return cronFor(cronPatternFor(schedule), timezone).nextRuns(count, from);
}

/**
 * When the download window of a firing at `firedAt` closes, or null when the
 * schedule has no window. `windowMinutes` counts from the firing; `windowEnd`
 * is the first HH:MM (in `timezone`) strictly after the firing, so a window
 * from 23:00 to 06:00 crosses midnight, and an end equal to the start time
 * means a full day. With both, the earlier end wins.
 */
export function windowEndFor(schedule: ScheduleWindow, firedAt: Date, timezone: string): Date | null {
  const ends: Date[] = [];
  if (schedule.windowMinutes !== null) {
    ends.push(new Date(firedAt.getTime() + schedule.windowMinutes * 60_000));
  }
  if (schedule.windowEnd !== null) {
    const { hour, minute } = parseTimeOfDay(schedule.windowEnd);
    // croner does the time-zone arithmetic, DST changes included.
    const end = cronFor(`${minute} ${hour} * * *`, timezone).nextRun(firedAt);
    if (end !== null) ends.push(end);
  }
  if (ends.length === 0) return null;
  return ends.reduce((earliest, end) => (end < earliest ? end : earliest));
}

/** "daily at 01:30", "weekly on Sunday (0) at 01:30", "cron 0 1-5 * * *". */
export function describeScheduleTime(schedule: ScheduleWhen): string {
  switch (schedule.type) {
    case 'daily':
      return `daily at ${schedule.time}`;
    case 'weekly':
      return `weekly on ${DAY_NAMES[schedule.dayOfWeek] ?? '?'} (${schedule.dayOfWeek}) at ${schedule.time}`;
    case 'custom':
      return `cron ${schedule.cronPattern}`;
  }
}

/** "until 06:00", "for 4h", "for 1h30m", or "" without a window. */
export function describeWindow(schedule: ScheduleWindow): string {
  const parts: string[] = [];
  if (schedule.windowEnd !== null) parts.push(`until ${schedule.windowEnd}`);
  if (schedule.windowMinutes !== null) parts.push(`for ${formatDuration(schedule.windowMinutes * 60)}`);
  return parts.join(', ');
}
