/**
 * The text forms of a schedule, one rule each for the CLI, model-set files
 * and the store: `HH:MM`, a day of week, a duration (`4h`, `1h30m`) and a
 * cron pattern in croner's syntax (https://croner.56k.guru/usage/pattern/):
 * 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds
 * first. Day of week is 0 = Sunday .. 6 = Saturday (7 is Sunday too). Each
 * parser throws ValidationError (exit 2) saying what is accepted.
 */
import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

/** Index = day_of_week (0 = Sunday, the cron and JavaScript convention). */
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** Parses `HH:MM` (00:00..23:59; a one-digit hour is accepted). */
export function parseTimeOfDay(text: string): TimeOfDay {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hour = match ? Number(match[1]) : NaN;
  const minute = match ? Number(match[2]) : NaN;
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) {
    throw new ValidationError(
      `time ${JSON.stringify(text)} is not valid; expected HH:MM from 00:00 to 23:59 (e.g. 01:30)`,
    );
  }
  return { hour, minute };
}

/** The canonical HH:MM form: 1:30 -> "01:30". */
export function formatTimeOfDay({ hour, minute }: TimeOfDay): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** "sun", "Sunday", "SUN", "0" -> 0; 0 = Sunday .. 6 = Saturday (7 is Sunday too, as in cron). */
export function parseDayOfWeek(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^[0-7]$/.test(trimmed)) return Number(trimmed) % 7;
  const index = DAY_NAMES.findIndex((name) => {
    const lower = name.toLowerCase();
    return trimmed === lower || trimmed === lower.slice(0, 3);
  });
  if (index === -1) {
    throw new ValidationError(
      `day ${JSON.stringify(text)} is not valid; expected a day name (sun..sat, sunday..saturday) or a number 0..6 (0 = Sunday)`,
    );
  }
  return index;
}

/**
 * `DAY@HH:MM` (a weekly firing, e.g. `sun@01:30` or `0@01:30`), as the CLI's
 * `--weekly` and a model-set file's `weekly:` write it; `label` names the
 * option in the error.
 */
export function parseWeekly(text: string, label: string): { dayOfWeek: number; time: string } {
  const [day, time, ...rest] = text.split('@');
  if (day === undefined || time === undefined || rest.length > 0) {
    throw new ValidationError(
      `${label} ${JSON.stringify(text)} is not valid; expected DAY@HH:MM such as sun@01:30 or 0@01:30 (0 = Sunday)`,
    );
  }
  return { dayOfWeek: parseDayOfWeek(day), time: formatTimeOfDay(parseTimeOfDay(time)) };
}

/** "4h", "90m", "1h30m" -> minutes (1 minute to 7 days). */
export function parseDuration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?$/i.exec(text.trim());
  const hours = Number(match?.[1] ?? 0);
  const minutes = Number(match?.[2] ?? 0);
  const total = hours * 60 + minutes;
  if (match === null || (match[1] === undefined && match[2] === undefined) || total < 1 || total > 7 * 24 * 60) {
    throw new ValidationError(
      `duration ${JSON.stringify(text)} is not valid; expected hours and/or minutes such as 4h, 90m or 1h30m (1 minute to 168h)`,
    );
  }
  return total;
}

/**
 * Checks a cron pattern and returns it trimmed: the one rule for the CLI,
 * model-set files and the store. ValidationError carries croner's reason, and
 * refuses a pattern that can never fire (e.g. 30 February).
 */
export function validateCronPattern(pattern: unknown): string {
  const hint =
    'use 5 fields (minute hour day-of-month month day-of-week, 0 = Sunday) or 6 with seconds first, e.g. "0 30 1 * * *"';
  if (typeof pattern !== 'string' || pattern.trim() === '') {
    throw new ValidationError(`cron pattern ${JSON.stringify(pattern)} is empty or not text; ${hint}`);
  }
  const trimmed = pattern.trim().replace(/\s+/g, ' ');
  let job: Cron;
  try {
    job = new Cron(trimmed, { timezone: 'UTC', paused: true });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern:\s*/, '').replace(/\.$/, '');
    throw new ValidationError(`cron pattern ${JSON.stringify(pattern)} is not valid: ${reason}; ${hint}`);
  }
  if (job.nextRun() === null) {
    throw new ValidationError(`cron pattern ${JSON.stringify(pattern)} never fires (no such date); ${hint}`);
  }
  return trimmed;
}
