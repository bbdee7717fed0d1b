/**
 * `store.schedules`: the schedules, of which at most one is enabled. Each
 * method forwards to schedules.ts, which validates, runs one short
 * transaction and translates SQLite's errors.
 */
import type Database from 'better-sqlite3';
import * as schedules from './schedules.js';
import type { NewSchedule, ScheduleChanges, ScheduleConfiguration } from './types.js';

export class ScheduleStore {
  constructor(private readonly db: Database.Database) {}

  // The contract's operations

  /** Enabled only if no other schedule is enabled. ValidationError: bad configuration. */
  create(schedule: NewSchedule): ScheduleConfiguration {
    return schedules.createSchedule(this.db, schedule);
  }

  /** The enabled schedule, or null. */
  active(): ScheduleConfiguration | null {
    return schedules.getActiveSchedule(this.db);
  }

  /** This one on, all others off, atomically. false: no such schedule. */
  enable(id: number): boolean {
    return schedules.enableSchedule(this.db, id);
  }

  // Reading, changing, disabling and deleting

  get(id: number): ScheduleConfiguration | null {
    return schedules.getSchedule(this.db, id);
  }

  list(): ScheduleConfiguration[] {
    return schedules.listSchedules(this.db);
  }

  /** No schedule is active afterwards. false: no such schedule. */
  disable(id: number): boolean {
    return schedules.disableSchedule(this.db, id);
  }

  /** Changes the fields given (the type stays); the result must pass the rules of a new one. false: no such schedule. */
  update(id: number, changes: ScheduleChanges): boolean {
    return schedules.updateSchedule(this.db, id, changes);
  }

  /** Deletes a schedule; its sessions stay in the history with no schedule. false: no such schedule. */
  delete(id: number): boolean {
    return schedules.deleteSchedule(this.db, id);
  }
}
