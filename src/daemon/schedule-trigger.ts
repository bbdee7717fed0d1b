/**
 * The croner job of the enabled schedule. It is re-armed whenever the
 * schedule's timing or the `scheduler.timezone` setting changes (the control
 * loop compares a fingerprint of both), and disarmed when no schedule is
 * enabled. When and how long a schedule fires is computed by
 * schedule-timing.ts, shared with the CLI so both agree on every date.
 */
import { Cron } from 'croner';
import type { ScheduleConfiguration } from '../store/types.js';
import { cronPatternFor, windowEndFor } from '../schedule/schedule-timing.js';

export interface Firing {
  schedule: ScheduleConfiguration;
  firedAt: Date;
  /** When this firing's window closes; null: the batch runs to completion. */
  windowEndsAt: Date | null;
}

export interface ScheduleTriggerOptions {
  onFire: (firing: Firing) => void;
  onError: (error: unknown) => void;
}

/** What decides when a schedule fires: re-arm only when this changes. */
export function timingFingerprint(schedule: ScheduleConfiguration | null, timezone: string): string {
  if (schedule === null) return 'none';
  const { id, type, time, dayOfWeek, cronPattern, windowEnd, windowMinutes } = schedule;
  return JSON.stringify({ id, type, time, dayOfWeek, cronPattern, windowEnd, windowMinutes, timezone });
}

export class ScheduleTrigger {
  private job: Cron | null = null;
  private schedule: ScheduleConfiguration | null = null;
  private timezone = 'UTC';
  private readonly options: ScheduleTriggerOptions;

  constructor(options: ScheduleTriggerOptions) {
    this.options = options;
  }

  /** Arms the job for `schedule` in `timezone` (replacing any previous job); null disarms. */
  arm(schedule: ScheduleConfiguration | null, timezone: string): void {
    this.disarm();
    this.schedule = schedule;
    this.timezone = timezone;
    if (schedule === null) return;
    this.job = new Cron(
      cronPatternFor(schedule),
      // catch: an error in a firing is reported, and the job keeps firing.
      { timezone, catch: (error) => this.options.onError(error) },
      (job: Cron) => this.fire(job),
    );
  }

  /**
   * Keeps the armed job but updates the fields that do not change its timing
   * (name, max_concurrent_downloads), so the next firing reports them.
   */
  updateSchedule(schedule: ScheduleConfiguration): void {
    if (this.schedule !== null && this.schedule.id === schedule.id) this.schedule = schedule;
  }

  disarm(): void {
    this.job?.stop();
    this.job = null;
    this.schedule = null;
  }

  /** The window end of a firing at `firedAt` (a `run-now`), or null without a schedule or a window. */
  windowEndForFiringAt(firedAt: Date): Date | null {
    return this.schedule === null ? null : windowEndFor(this.schedule, firedAt, this.timezone);
  }

  nextRunAt(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  private fire(job: Cron): void {
    const schedule = this.schedule;
    if (schedule === null) return;
    // croner's currentRun is the scheduled time of this firing (not "now", which may be a few ms later).
    const firedAt = job.currentRun() ?? new Date();
    this.options.onFire({ schedule, firedAt, windowEndsAt: windowEndFor(schedule, firedAt, this.timezone) });
  }
}
