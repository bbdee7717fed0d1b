/**
 * The contract's schedule operations, plus listing, updating, disabling and
 * deleting. At most one schedule is enabled: the partial unique index
 * `uq_schedule_configurations_one_enabled` makes the database refuse a
 * second one, and `enableSchedule` switches in one transaction.
 */
import type Database from 'better-sqlite3';
import { ValidationError } from '../errors.js';
import { mapSchedule, type ScheduleRow } from './row-mapping.js';
import { validateCronPattern } from '../schedule/schedule-format.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import type { NewSchedule, ScheduleChanges, ScheduleConfiguration, ScheduleType } from './types.js';
import {
  validateDayOfWeek,
  validateId,
  validateMaxConcurrentDownloads,
  validateScheduleName,
  validateScheduleType,
  validateTime,
  validateWindowMinutes,
} from './validation.js';

/** Every column a caller sets, before and after validation. */
interface ScheduleFields {
  name: string;
  type: ScheduleType;
  time: string | null;
  dayOfWeek: number | null;
  maxConcurrentDownloads: number;
  cronPattern: string | null;
  windowEnd: string | null;
  windowMinutes: number | null;
}

/**
 * A complete schedule's rules: daily needs a time and no day; weekly needs a
 * time and a day (0 = Sunday .. 6 = Saturday); custom needs a cron pattern
 * and no time or day; at most one of window end and window minutes.
 */
function validateScheduleFields(fields: ScheduleFields): ScheduleFields {
  const type = validateScheduleType(fields.type);
  const label = `${type} schedule "${String(fields.name)}"`;
  validateScheduleName(fields.name);
  if (type === 'custom') {
    if (fields.cronPattern === null) {
      throw new ValidationError(`${label} needs a cron pattern, e.g. "0 2 * * *" (02:00 every day)`);
    }
    validateCronPattern(fields.cronPattern);
    if (fields.time !== null) {
      throw new ValidationError(`${label} fires on its cron pattern and takes no time; put the time in the pattern`);
    }
    if (fields.dayOfWeek !== null) {
      throw new ValidationError(
        `${label} fires on its cron pattern and takes no day of week; put the day in the pattern`,
      );
    }
  } else {
    if (fields.time === null) throw new ValidationError(`${label} needs a time (HH:MM)`);
    validateTime(fields.time);
    if (fields.cronPattern !== null) {
      throw new ValidationError(`${label} takes no cron pattern; only custom schedules have one`);
    }
    if (type === 'weekly') {
      if (fields.dayOfWeek === null) {
        throw new ValidationError(`${label} needs a day of week: 0 (Sunday) to 6 (Saturday)`);
      }
      validateDayOfWeek(fields.dayOfWeek);
    } else if (fields.dayOfWeek !== null) {
      throw new ValidationError(`${label} takes no day of week; use a weekly schedule for one day a week`);
    }
  }
  if (fields.windowEnd !== null) validateTime(fields.windowEnd, 'window end');
  if (fields.windowMinutes !== null) validateWindowMinutes(fields.windowMinutes);
  if (fields.windowEnd !== null && fields.windowMinutes !== null) {
    throw new ValidationError(`${label} has both a window end and a window length; give only one`);
  }
  validateMaxConcurrentDownloads(fields.maxConcurrentDownloads);
  return { ...fields, type };
}

export function selectSchedule(db: Database.Database, id: number): ScheduleConfiguration | null {
  const row = db.prepare('SELECT * FROM schedule_configurations WHERE id = ?').get(id) as ScheduleRow | undefined;
  return row === undefined ? null : mapSchedule(row);
}

/**
 * A new schedule, enabled only if no other schedule is enabled.
 * ValidationError for a configuration that breaks the rules above.
 */
export function createSchedule(db: Database.Database, schedule: NewSchedule): ScheduleConfiguration {
  const fields = validateScheduleFields({
    name: schedule.name,
    type: schedule.type,
    time: schedule.time ?? null,
    dayOfWeek: schedule.dayOfWeek ?? null,
    maxConcurrentDownloads: schedule.maxConcurrentDownloads ?? 1,
    cronPattern: schedule.cronPattern ?? null,
    windowEnd: schedule.windowEnd ?? null,
    windowMinutes: schedule.windowMinutes ?? null,
  });
  return writeTransaction(db, () => {
    const row = db
      .prepare(
        `INSERT INTO schedule_configurations
           (name, type, time, day_of_week, max_concurrent_downloads, cron_pattern, window_end, window_minutes, enabled)
         VALUES (@name, @type, @time, @dayOfWeek, @maxConcurrentDownloads, @cronPattern, @windowEnd, @windowMinutes,
                 NOT EXISTS (SELECT 1 FROM schedule_configurations WHERE enabled = 1))
         RETURNING *`,
      )
      .get(fields) as ScheduleRow;
    return mapSchedule(row);
  });
}

export function getActiveSchedule(db: Database.Database): ScheduleConfiguration | null {
  return withStoreErrors(db, () => {
    const row = db.prepare('SELECT * FROM schedule_configurations WHERE enabled = 1').get() as ScheduleRow | undefined;
    return row === undefined ? null : mapSchedule(row);
  });
}

/** Enables this schedule and disables all others, atomically. false: no such schedule. */
export function enableSchedule(db: Database.Database, id: number): boolean {
  validateId(id, 'schedule');
  return writeTransaction(db, () => {
    if (selectSchedule(db, id) === null) return false;
    db.prepare('UPDATE schedule_configurations SET enabled = 0 WHERE enabled = 1 AND id <> ?').run(id);
    db.prepare('UPDATE schedule_configurations SET enabled = 1 WHERE id = ? AND enabled = 0').run(id);
    return true;
  });
}

/** Disables a schedule (no schedule is then active). false: no such schedule. */
export function disableSchedule(db: Database.Database, id: number): boolean {
  validateId(id, 'schedule');
  return writeTransaction(db, () => {
    if (selectSchedule(db, id) === null) return false;
    db.prepare('UPDATE schedule_configurations SET enabled = 0 WHERE id = ? AND enabled = 1').run(id);
    return true;
  });
}

export function getSchedule(db: Database.Database, id: number): ScheduleConfiguration | null {
  validateId(id, 'schedule');
  return withStoreErrors(db, () => selectSchedule(db, id));
}

export function listSchedules(db: Database.Database): ScheduleConfiguration[] {
  return withStoreErrors(db, () =>
    (db.prepare('SELECT * FROM schedule_configurations ORDER BY id').all() as ScheduleRow[]).map(mapSchedule),
  );
}

/**
 * Changes some fields of a schedule (its type stays). A field left out is
 * kept, null clears it; setting a window end clears the window length and
 * the other way round. The result must pass the same rules as a new
 * schedule (ValidationError). false: no such schedule.
 */
export function updateSchedule(db: Database.Database, id: number, changes: ScheduleChanges): boolean {
  validateId(id, 'schedule');
  return writeTransaction(db, () => {
    const current = selectSchedule(db, id);
    if (current === null) return false;
    const merged: ScheduleFields = {
      name: changes.name ?? current.name,
      type: current.type,
      time: changes.time !== undefined ? changes.time : current.time,
      dayOfWeek: changes.dayOfWeek !== undefined ? changes.dayOfWeek : current.dayOfWeek,
      maxConcurrentDownloads: changes.maxConcurrentDownloads ?? current.maxConcurrentDownloads,
      cronPattern: changes.cronPattern !== undefined ? changes.cronPattern : current.cronPattern,
      windowEnd: changes.windowEnd !== undefined ? changes.windowEnd : current.windowEnd,
      windowMinutes: changes.windowMinutes !== undefined ? changes.windowMinutes : current.windowMinutes,
    };
    if (changes.windowEnd != null && changes.windowMinutes === undefined) merged.windowMinutes = null;
    if (changes.windowMinutes != null && changes.windowEnd === undefined) merged.windowEnd = null;
    const fields = validateScheduleFields(merged);
    db.prepare(
      `UPDATE schedule_configurations
       SET name = @name, time = @time, day_of_week = @dayOfWeek, max_concurrent_downloads = @maxConcurrentDownloads,
           cron_pattern = @cronPattern, window_end = @windowEnd, window_minutes = @windowMinutes
       WHERE id = @id`,
    ).run({
      id,
      name: fields.name,
      time: fields.time,
      dayOfWeek: fields.dayOfWeek,
      maxConcurrentDownloads: fields.maxConcurrentDownloads,
      cronPattern: fields.cronPattern,
      windowEnd: fields.windowEnd,
      windowMinutes: fields.windowMinutes,
    });
    return true;
  });
}

/**
 * Deletes a schedule. Its download sessions stay in the history with no
 * schedule. false: no such schedule.
 */
export function deleteSchedule(db: Database.Database, id: number): boolean {
  validateId(id, 'schedule');
  return writeTransaction(db, () => {
    if (selectSchedule(db, id) === null) return false;
    db.prepare('UPDATE download_sessions SET schedule_id = NULL WHERE schedule_id = ?').run(id);
    db.prepare('DELETE FROM schedule_configurations WHERE id = ?').run(id);
    return true;
  });
}
