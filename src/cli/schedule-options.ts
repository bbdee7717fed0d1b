/**
 * The schedule options of `hfsched schedule add|set`, turned into schedule
 * fields: `--daily HH:MM`, `--weekly DAY@HH:MM`, `--cron PATTERN`,
 * `--until HH:MM`, `--for DURATION`. Each parser throws ValidationError
 * (exit 2) with what is accepted.
 */
import { ValidationError } from '../errors.js';
import type { ScheduleWhen, ScheduleWindow } from '../schedule/schedule-fields.js';
import {
  formatTimeOfDay,
  parseDuration,
  parseTimeOfDay,
  parseWeekly,
  validateCronPattern,
} from '../schedule/schedule-format.js';

export interface WhenOptions {
  daily?: string;
  weekly?: string;
  cron?: string;
}

export function hasWhen(options: WhenOptions): boolean {
  return options.daily !== undefined || options.weekly !== undefined || options.cron !== undefined;
}

/** Exactly one of --daily, --weekly, --cron. */
export function parseWhen(options: WhenOptions): ScheduleWhen {
  const given = [options.daily, options.weekly, options.cron].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new ValidationError('give exactly one of --daily HH:MM, --weekly DAY@HH:MM (0 = Sunday) or --cron "PATTERN"');
  }
  if (options.daily !== undefined) {
    return { type: 'daily', time: formatTimeOfDay(parseTimeOfDay(options.daily)), dayOfWeek: null, cronPattern: null };
  }
  if (options.weekly !== undefined) {
    return { type: 'weekly', ...parseWeekly(options.weekly, '--weekly'), cronPattern: null };
  }
  return { type: 'custom', time: null, dayOfWeek: null, cronPattern: validateCronPattern(options.cron ?? '') };
}

export interface WindowOptions {
  until?: string;
  for?: string;
}

/** null when neither --until nor --for is given. */
export function parseWindow(options: WindowOptions): ScheduleWindow | null {
  if (options.until !== undefined && options.for !== undefined) {
    throw new ValidationError('give --until HH:MM or --for DURATION, not both');
  }
  if (options.until !== undefined) {
    return { windowEnd: formatTimeOfDay(parseTimeOfDay(options.until)), windowMinutes: null };
  }
  if (options.for !== undefined) return { windowEnd: null, windowMinutes: parseDuration(options.for) };
  return null;
}
