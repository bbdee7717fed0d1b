/**
 * Finding a schedule from what a user types: its id from `hfsched schedule
 * list`, or its name when exactly one schedule has it (the database allows
 * two schedules with one name; then the id is needed).
 */
import { NotFoundError, ValidationError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { ScheduleConfiguration } from '../store/types.js';
import { didYouMean } from '../system/similar-words.js';

export function findSchedule(store: Store, reference: string): ScheduleConfiguration {
  const trimmed = reference.trim();
  // A name may be all digits, so a number is tried as an id first, then as a name.
  const byId =
    /^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? store.schedules.get(Number(trimmed)) : null;
  if (byId !== null) return byId;
  const schedules = store.schedules.list();
  const named = schedules.filter((schedule) => schedule.name === trimmed);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new ValidationError(
      `${named.length} schedules are named "${trimmed}" (ids ${named.map((schedule) => schedule.id).join(', ')}); give the id`,
    );
  }
  if (/^\d+$/.test(trimmed) && named.length === 0) {
    throw new NotFoundError(`no schedule with id ${trimmed}; see the schedules with: hfsched schedule list`);
  }
  const names = schedules.map((schedule) => schedule.name);
  throw new NotFoundError(
    `no schedule "${reference}"${didYouMean(trimmed, names)}; see the schedules with: hfsched schedule list`,
  );
}

/** The other schedules with this name (for the warning on a duplicate name). */
export function sameNamed(store: Store, name: string, exceptId: number): ScheduleConfiguration[] {
  return store.schedules.list().filter((schedule) => schedule.name === name && schedule.id !== exceptId);
}
