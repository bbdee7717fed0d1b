/**
 * The fields that say when a schedule fires and how long its window stays
 * open: the schedule part's own vocabulary. The store's row type
 * (ScheduleConfiguration in src/store/types.ts) extends it; this folder never
 * imports the store.
 */

export const SCHEDULE_TYPES = ['daily', 'weekly', 'custom'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** The fields of a schedule that decide its timing. */
export interface ScheduleTiming {
  type: ScheduleType;
  /** `HH:MM` for daily and weekly; null for custom. */
  time: string | null;
  /** 0 = Sunday .. 6 = Saturday; set for weekly only. */
  dayOfWeek: number | null;
  /** croner pattern (5 or 6 fields, seconds allowed) for custom schedules. (migration 002) */
  cronPattern: string | null;
  /** The window closes at this `HH:MM` after each firing. (migration 002) */
  windowEnd: string | null;
  /** The window closes this many minutes after each firing. (migration 002) */
  windowMinutes: number | null;
}
