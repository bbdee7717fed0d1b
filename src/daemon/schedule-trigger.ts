/**
 * Fires the enabled schedule. It is re-armed whenever the schedule's timing
 * or the `scheduler.timezone` setting changes (the control loop compares a
 * fingerprint of both), and disarmed when no schedule is enabled. When and
 * how long a schedule fires is computed by schedule-timing.ts (croner's
 * pattern maths), shared with the CLI so both agree on every date; the
 * waiting is done on a Clock, so tests can run it on a fake one.
 */
import type { ScheduleConfiguration } from '../store/types.js';
import { nextRunTimes, windowEndFor } from '../schedule/schedule-timing.js';
import { runAt, systemClock, type Clock } from './clock.js';

export interface Firing {
  schedule: ScheduleConfiguration;
  firedAt: Date;
  /** When this firing's window closes; null: the batch runs to completion. */
  windowEndsAt: Date | null;
}

export interface ScheduleTriggerOptions {
  onFire: (firing: Firing) => void;
  /** An error thrown by onFire; the trigger keeps firing. */
  onError: (error: unknown) => void;
  /** Default: the system clock. */
  clock?: Clock;
}

/** What decides when a schedule fires: re-arm only when this changes. */
export function timingFingerprint(schedule: ScheduleConfiguration | null, timezone: string): string {
  if (schedule === null) return 'none';
  const { id, type, time, dayOfWeek, cronPattern, windowEnd, windowMinutes } = schedule;
  return JSON.stringify({ id, type, time, dayOfWeek, cronPattern, windowEnd, windowMinutes, timezone });
}

export class ScheduleTrigger {
  private schedule: ScheduleConfiguration | null = null;
  private timezone = 'UTC';
  private next: Date | null = null;
  private cancelTimer: (() => void) | null = null;
  private readonly options: ScheduleTriggerOptions;
  private readonly clock: Clock;

  constructor(options: ScheduleTriggerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Arms the trigger for `schedule` in `timezone` (replacing any previous
   * one); null disarms. Throws (ValidationError, croner's error) when the
   * schedule's timing cannot be computed.
   */
  arm(schedule: ScheduleConfiguration | null, timezone: string): void {
    this.disarm();
    if (schedule === null) return;
    const next = nextRunTimes(schedule, timezone, 1, new Date(this.clock.now()))[0] ?? null;
    this.schedule = schedule;
    this.timezone = timezone;
    this.waitFor(next);
  }

  /**
   * Keeps the armed trigger but updates the fields that do not change its
   * timing (name, max_concurrent_downloads), so the next firing reports them.
   */
  updateSchedule(schedule: ScheduleConfiguration): void {
    if (this.schedule !== null && this.schedule.id === schedule.id) this.schedule = schedule;
  }

  disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.schedule = null;
    this.next = null;
  }

  /** The window end of a firing at `firedAt` (a `run-now`), or null without a schedule or a window. */
  windowEndForFiringAt(firedAt: Date): Date | null {
    return this.schedule === null ? null : windowEndFor(this.schedule, firedAt, this.timezone);
  }

  nextRunAt(): Date | null {
    return this.next;
  }

  private waitFor(next: Date | null): void {
    this.next = next;
    this.cancelTimer = next === null ? null : runAt(this.clock, next.getTime(), () => this.fire(next));
  }

  private fire(firedAt: Date): void {
    const schedule = this.schedule;
    if (schedule === null) return;
    try {
      this.options.onFire({ schedule, firedAt, windowEndsAt: windowEndFor(schedule, firedAt, this.timezone) });
    } catch (error) {
      this.options.onError(error);
    }
    // onFire may have re-armed or disarmed the trigger; otherwise wait for the firing after this one.
    if (this.next !== firedAt) return;
    const after = new Date(Math.max(this.clock.now(), firedAt.getTime()));
    this.waitFor(nextRunTimes(schedule, this.timezone, 1, after)[0] ?? null);
  }
}
