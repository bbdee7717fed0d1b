/**
 * The fields that say when a schedule fires and how long its window stays
 * open: the schedule part's own vocabulary. The store's row type
 * (ScheduleConfiguration in src/store/types.ts) extends it; this folder never
 * imports the store.
 */
import { ValidationError } from '../errors.js';

export const SCHEDULE_TYPES = ['daily', 'weekly', 'custom'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/**
 * When a schedule fires: one of three forms, told apart by `type`. The field
 * names are the columns of the contract's schedules table (a cron schedule is
 * stored as type `custom`), so a row is one of these as it is.
 */
export type ScheduleWhen =
  | {
      type: 'daily';
      /** `HH:MM` in the schedule's time zone. */
      time: string;
      dayOfWeek: null;
      cronPattern: null;
    }
  | {
      type: 'weekly';
      time: string;
      /** 0 = Sunday .. 6 = Saturday. */
      dayOfWeek: number;
      cronPattern: null;
    }
  | {
      type: 'custom';
      time: null;
      dayOfWeek: null;
      /** croner pattern, 5 or 6 fields (seconds first). (migration 002) */
      cronPattern: string;
    };

/** How long a firing's window stays open: `windowEnd` (HH:MM) or `windowMinutes`, at most one. (migration 002) */
export interface ScheduleWindow {
  /** The window closes at this `HH:MM` after each firing. */
  windowEnd: string | null;
  /** The window closes this many minutes after each firing. */
  windowMinutes: number | null;
}

/** The fields of a schedule that decide its timing. */
export type ScheduleTiming = ScheduleWhen & ScheduleWindow;

/**
 * One of the three forms from four loose fields (a database row):
 * ValidationError when they make none. The store writes only rows that pass
 * (src/store/schedules.ts); this guards rows another program wrote.
 */
export function scheduleWhenOf(fields: {
  type: ScheduleType;
  time: string | null;
  dayOfWeek: number | null;
  cronPattern: string | null;
}): ScheduleWhen {
  switch (fields.type) {
    case 'daily':
      if (fields.time === null) throw new ValidationError('a daily schedule needs a time (HH:MM)');
      return { type: 'daily', time: fields.time, dayOfWeek: null, cronPattern: null };
    case 'weekly': {
      const day = fields.dayOfWeek;
      if (fields.time === null) throw new ValidationError('a weekly schedule needs a time (HH:MM)');
      if (day === null || !Number.isInteger(day) || day < 0 || day > 6) {
        throw new ValidationError('a weekly schedule needs a day of week from 0 (Sunday) to 6 (Saturday)');
      }
      return { type: 'weekly', time: fields.time, dayOfWeek: day, cronPattern: null };
    }
    case 'custom':
      if (fields.cronPattern === null || fields.cronPattern.trim() === '') {
        throw new ValidationError('a custom schedule needs a cron pattern');
      }
      return { type: 'custom', time: null, dayOfWeek: null, cronPattern: fields.cronPattern };
  }
}
