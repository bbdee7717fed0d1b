/**
 * Is a daemon running on this database? The daemon writes a heartbeat into
 * `daemon_status` whenever what it publishes changes (every second or so
 * while it downloads) and at least once every HEARTBEAT_MAX_INTERVAL_MS while
 * idle, so that an idle daemon writes to the database once a minute at most.
 * It counts as alive when that heartbeat is younger than HEARTBEAT_STALE_MS
 * AND, on this host, its process still exists. The heartbeat alone is not
 * enough: after `kill -9` the row stays, fresh for up to a couple of minutes,
 * and a restart must not wait for it to age. On another host (a database on a
 * shared disk) the pid means nothing, and only the heartbeat's age counts.
 */
import { hostname } from 'node:os';
import type { DaemonStatusRecord, Store } from '../store/index.js';
import { processExists } from '../system/process-exists.js';

/** The longest an alive daemon goes without writing its heartbeat (while idle). */
export const HEARTBEAT_MAX_INTERVAL_MS = 60_000;
/** Two and a half idle intervals: a missed beat (a busy database, a slow disk) is not death. */
export const HEARTBEAT_STALE_MS = 150_000;

/** What liveness is judged on: the registration's pid, host and last heartbeat (ISO 8601). */
export interface HeartbeatRecord {
  pid: number;
  hostname: string;
  heartbeatAt: string;
}

export type Liveness = { alive: true; pid: number } | { alive: false; reason: string };

export function daemonLiveness(record: HeartbeatRecord | null, now: Date = new Date()): Liveness {
  if (record === null) return { alive: false, reason: 'no daemon has registered on this database' };
  const age = now.getTime() - Date.parse(record.heartbeatAt);
  if (age > HEARTBEAT_STALE_MS) {
    return { alive: false, reason: `last heartbeat ${Math.round(age / 1000)} s ago (pid ${record.pid})` };
  }
  // A pid means nothing on another machine (a database on a shared disk):
  // there the fresh heartbeat is all we can go by.
  if (record.hostname === hostname()) {
    // Our own pid in the row is a previous run of this process slot
    // (typical in a container, where the daemon is always pid 1).
    if (record.pid === process.pid || !processExists(record.pid)) {
      return { alive: false, reason: `process ${record.pid} is gone` };
    }
  }
  return { alive: true, pid: record.pid };
}

export interface DaemonReading {
  /** The registration, alive or not; null when none. */
  record: DaemonStatusRecord | null;
  liveness: Liveness;
}

/** Reads the registration and judges it: how every command asks "is a daemon running?". */
export function readLiveness(store: Store, now: Date = new Date()): DaemonReading {
  const record = store.daemon.status();
  return { record, liveness: daemonLiveness(record, now) };
}
