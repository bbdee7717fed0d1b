/**
 * When a pending model will start downloading, said truthfully for the
 * confirmation of `hfsched model add`: at once when a running daemon has a
 * window open (it queues the model within seconds), at the next run of the
 * enabled schedule, or never by itself when no schedule is enabled.
 */
import { scheduleTimeZone } from '../config/settings.js';
import { nextRunTimes } from '../schedule/schedule-timing.js';
import type { Store } from '../store/index.js';
import { readLiveness } from './liveness.js';

export type PendingStart =
  /** windowEndsAt null: a window without an end, open while its batch has work. */
  | { kind: 'window-open'; windowEndsAt: string | null }
  | { kind: 'next-run'; at: string; timezone: string; daemonRunning: boolean }
  | { kind: 'no-schedule' };

export function pendingStart(store: Store, env: NodeJS.ProcessEnv, now: Date = new Date()): PendingStart {
  const { record, liveness } = readLiveness(store, now);
  const daemonRunning = liveness.alive && record !== null;
  if (daemonRunning) {
    const endsLater = record.windowEndsAt !== null && Date.parse(record.windowEndsAt) > now.getTime();
    // A window without an end is published as null and stays open while its batch has work.
    const endlessBatch = record.windowEndsAt === null && (record.running.length > 0 || record.queue.length > 0);
    if (endsLater || endlessBatch) return { kind: 'window-open', windowEndsAt: endsLater ? record.windowEndsAt : null };
  }
  const active = store.schedules.active();
  if (active === null) return { kind: 'no-schedule' };
  const timezone = scheduleTimeZone(store, env);
  const next = nextRunTimes(active, timezone, 1, now)[0];
  if (next === undefined) return { kind: 'no-schedule' };
  return { kind: 'next-run', at: next.toISOString(), timezone, daemonRunning };
}
