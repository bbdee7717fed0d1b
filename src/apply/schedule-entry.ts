/**
 * The `schedule` section of a model set file: one schedule, found by name,
 * that `hfsched apply` creates or updates and enables. Exactly one of
 * `daily: HH:MM`, `weekly: DAY@HH:MM` (0 = Sunday) or `cron: PATTERN`; at most
 * one window, `until: HH:MM` or `for: 4h`; `max_concurrent_downloads` 1..10.
 * The same forms as `hfsched schedule add`.
 */
import type { Node } from 'yaml';
import { ValidationError } from '../errors.js';
import {
  formatTimeOfDay,
  parseDuration,
  parseTimeOfDay,
  parseWeekly,
  validateCronPattern,
} from '../schedule/schedule-format.js';
import { validateMaxConcurrentDownloads, validateScheduleName } from '../store/index.js';
import type { ScheduleTiming, ScheduleWhen } from '../schedule/schedule-fields.js';
import { mappingEntries, scalarText, wholeNumber, type FilePosition } from './file-position.js';

export type DesiredSchedule = ScheduleTiming & {
  name: string;
  maxConcurrentDownloads: number;
  line: number;
};

const SCHEDULE_KEYS = ['name', 'daily', 'weekly', 'cron', 'until', 'for', 'max_concurrent_downloads'] as const;
const DEFAULT_NAME = 'default';

function withPosition<T>(at: FilePosition, node: Node | null | undefined, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ValidationError) at.fail(node, `schedule: ${error.message}`);
    throw error;
  }
}

export function parseScheduleEntry(at: FilePosition, node: Node | null): DesiredSchedule {
  const entries = mappingEntries(at, node, 'schedule', SCHEDULE_KEYS);
  const text = (key: string): { value: string; node: Node | null } | undefined => {
    const entry = entries.get(key);
    return entry === undefined
      ? undefined
      : { value: scalarText(at, entry.value, `schedule.${key}`), node: entry.value };
  };

  const given = (['daily', 'weekly', 'cron'] as const).filter((key) => entries.has(key));
  if (given.length !== 1) {
    at.fail(
      given.length > 1 ? (entries.get(given[1] ?? '')?.key ?? node) : node,
      'schedule: give exactly one of daily: HH:MM, weekly: DAY@HH:MM (0 = Sunday) or cron: "PATTERN"',
    );
  }
  const daily = text('daily');
  const weekly = text('weekly');
  const cron = text('cron');
  let timing: ScheduleWhen;
  if (daily !== undefined) {
    const time = withPosition(at, daily.node, () => formatTimeOfDay(parseTimeOfDay(daily.value)));
    timing = { type: 'daily', time, dayOfWeek: null, cronPattern: null };
  } else if (weekly !== undefined) {
    const parsed = withPosition(at, weekly.node, () => parseWeekly(weekly.value, 'weekly'));
    timing = { type: 'weekly', ...parsed, cronPattern: null };
  } else {
    const pattern = cron?.value ?? '';
    timing = {
      type: 'custom',
      time: null,
      dayOfWeek: null,
      cronPattern: withPosition(at, cron?.node, () => validateCronPattern(pattern)),
    };
  }

  const until = text('until');
  const span = text('for');
  if (until !== undefined && span !== undefined) at.fail(span.node, 'schedule: give until or for, not both');
  const windowEnd =
    until === undefined ? null : withPosition(at, until.node, () => formatTimeOfDay(parseTimeOfDay(until.value)));
  const windowMinutes = span === undefined ? null : withPosition(at, span.node, () => parseDuration(span.value));

  const concurrencyNode = entries.get('max_concurrent_downloads')?.value;
  const maxConcurrentDownloads =
    concurrencyNode === undefined
      ? 1
      : withPosition(at, concurrencyNode, () =>
          validateMaxConcurrentDownloads(wholeNumber(at, concurrencyNode, 'schedule.max_concurrent_downloads')),
        );

  // The store checks the name too, but only a real run reaches it: check it here so --dry-run says the same, with the line.
  const nameEntry = text('name');
  const name =
    nameEntry === undefined
      ? DEFAULT_NAME
      : withPosition(at, nameEntry.node, () => validateScheduleName(nameEntry.value));

  return {
    name,
    ...timing,
    windowEnd,
    windowMinutes,
    maxConcurrentDownloads,
    line: at.line(node),
  };
}
