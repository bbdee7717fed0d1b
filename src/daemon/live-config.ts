/**
 * Live configuration: the enabled schedule and the settings, read again from
 * the database at every control-loop tick (about once a second), so that a
 * change made with the CLI while the daemon runs applies within seconds,
 * without a restart. Only what changed is reported; reading is a handful of
 * indexed lookups.
 */
import { readSettings, type Settings } from '../config/settings.js';
import type { Store } from '../store/index.js';
import type { ScheduleConfiguration } from '../store/types.js';
import { timingFingerprint } from './schedule-trigger.js';

export interface ConfigChanges {
  /** The schedule's timing or the time zone changed: re-arm the trigger. */
  timing: boolean;
  /** max_concurrent_downloads changed (or another schedule was enabled). */
  concurrency: boolean;
  /** Setting names (camelCase) whose value changed. */
  settings: (keyof Settings)[];
}

export class LiveConfig {
  private currentSchedule: ScheduleConfiguration | null;
  private currentSettings: Settings;
  private timingKey: string;

  private constructor(
    private readonly store: Store,
    private readonly env: NodeJS.ProcessEnv,
    schedule: ScheduleConfiguration | null,
    settings: Settings,
  ) {
    this.currentSchedule = schedule;
    this.currentSettings = settings;
    this.timingKey = timingFingerprint(schedule, settings.schedulerTimezone);
  }

  /** Reads the first configuration; ValidationError if a stored setting is invalid. */
  static load(store: Store, env: NodeJS.ProcessEnv): LiveConfig {
    return new LiveConfig(store, env, store.schedules.active(), readSettings(store, env));
  }

  get schedule(): ScheduleConfiguration | null {
    return this.currentSchedule;
  }

  get settings(): Settings {
    return this.currentSettings;
  }

  /** Concurrency of the queue: the enabled schedule's, else 1 (a `run-now` with no schedule). */
  get concurrency(): number {
    return this.currentSchedule?.maxConcurrentDownloads ?? 1;
  }

  /**
   * Reads the database again and reports what changed. An invalid stored
   * setting throws ValidationError and leaves the previous settings in force.
   */
  refresh(): ConfigChanges {
    const settings = readSettings(this.store, this.env);
    const schedule = this.store.schedules.active();
    const previousSettings = this.currentSettings;
    const changedSettings = (Object.keys(settings) as (keyof Settings)[]).filter(
      (key) => settings[key] !== previousSettings[key],
    );
    const timingKey = timingFingerprint(schedule, settings.schedulerTimezone);
    const concurrency = (schedule?.maxConcurrentDownloads ?? 1) !== this.concurrency;
    const timing = timingKey !== this.timingKey;
    this.currentSchedule = schedule;
    this.currentSettings = settings;
    this.timingKey = timingKey;
    return { timing, concurrency, settings: changedSettings };
  }
}
