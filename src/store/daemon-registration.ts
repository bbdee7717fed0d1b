/**
 * The daemon's registration and heartbeat (migration 004's `daemon_status`
 * row): which process is the database's daemon, and what it publishes
 * about itself at each heartbeat.
 */
import type Database from 'better-sqlite3';
import { isoTimestamp } from './row-mapping.js';
import { isoOrNull, SQL_NOW, sqliteTime } from './sql-time.js';
import { withStoreErrors, writeTransaction } from './transaction.js';

/** A model waiting in the daemon's queue. */
export interface DaemonQueueEntry {
  modelId: number;
  model: string;
}

/** A download the daemon is running, with what only the daemon knows (its speed). */
export interface DaemonRunningEntry {
  modelId: number;
  model: string;
  sessionId: number | null;
  /** Bytes on disk for this model (resumed bytes included). */
  bytesDone: number;
  totalBytes: number | null;
  /** Measured over the last few seconds. */
  bytesPerSecond: number;
  startedAt: string;
}

/** What the daemon publishes about itself at each heartbeat. */
export interface DaemonSnapshot {
  scheduleId: number | null;
  nextRunAt: Date | null;
  windowEndsAt: Date | null;
  queue: DaemonQueueEntry[];
  running: DaemonRunningEntry[];
  httpUrl: string | null;
  /** Hub requests wait for a rate-limit reset until then; null when they do not. (migration 005) */
  rateLimitedUntil: Date | null;
}

export interface DaemonStatusRecord {
  pid: number;
  hostname: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  heartbeatAt: string;
  scheduleId: number | null;
  nextRunAt: string | null;
  windowEndsAt: string | null;
  queue: DaemonQueueEntry[];
  running: DaemonRunningEntry[];
  httpUrl: string | null;
  /** ISO 8601 UTC, or null. (migration 005) */
  rateLimitedUntil: string | null;
}

interface DaemonStatusRow {
  pid: number;
  hostname: string;
  started_at: string;
  heartbeat_at: string;
  schedule_id: number | null;
  next_run_at: string | null;
  window_ends_at: string | null;
  queue: string;
  running: string;
  http_url: string | null;
  rate_limited_until: string | null;
}

function parseList<T>(text: string): T[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? (value as T[]) : [];
}

function mapDaemonStatus(row: DaemonStatusRow): DaemonStatusRecord {
  return {
    pid: row.pid,
    hostname: row.hostname,
    startedAt: isoTimestamp(row.started_at),
    heartbeatAt: isoTimestamp(row.heartbeat_at),
    scheduleId: row.schedule_id,
    nextRunAt: isoOrNull(row.next_run_at),
    windowEndsAt: isoOrNull(row.window_ends_at),
    queue: parseList<DaemonQueueEntry>(row.queue),
    running: parseList<DaemonRunningEntry>(row.running),
    httpUrl: row.http_url,
    rateLimitedUntil: isoOrNull(row.rate_limited_until),
  };
}

function selectDaemonStatus(db: Database.Database): DaemonStatusRecord | null {
  const row = db.prepare('SELECT * FROM daemon_status WHERE id = 1').get() as DaemonStatusRow | undefined;
  return row === undefined ? null : mapDaemonStatus(row);
}

/** The registered daemon's row, alive or not (see src/control/liveness.ts), or null. */
export function readDaemonStatus(db: Database.Database): DaemonStatusRecord | null {
  return withStoreErrors(db, () => selectDaemonStatus(db));
}

export interface DaemonRegistration {
  pid: number;
  hostname: string;
  startedAt: Date;
}

/**
 * Registers this process as the database's daemon, unless `isAlive` says the
 * registered one still runs: then nothing changes and that one's row is
 * returned. Check and write are one transaction, so two daemons starting at
 * once cannot both win. Returns null when this process is now registered.
 */
export function claimDaemonStatus(
  db: Database.Database,
  registration: DaemonRegistration,
  isAlive: (current: DaemonStatusRecord) => boolean,
): DaemonStatusRecord | null {
  return writeTransaction(db, () => {
    const current = selectDaemonStatus(db);
    if (current !== null && isAlive(current)) return current;
    const startedAt = sqliteTime(registration.startedAt);
    db.prepare(
      `INSERT OR REPLACE INTO daemon_status (id, pid, hostname, started_at, heartbeat_at)
       VALUES (1, ?, ?, ?, ${SQL_NOW})`,
    ).run(registration.pid, registration.hostname, startedAt);
    return null;
  });
}

/**
 * The daemon's heartbeat: its snapshot and the time. false when the row is no
 * longer this process's (another daemon took over after this one was
 * thought dead): the caller must stop.
 */
export function writeDaemonHeartbeat(db: Database.Database, pid: number, snapshot: DaemonSnapshot): boolean {
  return writeTransaction(db, () => {
    const result = db
      .prepare(
        `UPDATE daemon_status
         SET heartbeat_at = ${SQL_NOW}, schedule_id = @scheduleId, next_run_at = @nextRunAt,
             window_ends_at = @windowEndsAt, queue = @queue, running = @running, http_url = @httpUrl,
             rate_limited_until = @rateLimitedUntil
         WHERE id = 1 AND pid = @pid`,
      )
      .run({
        pid,
        scheduleId: snapshot.scheduleId,
        nextRunAt: snapshot.nextRunAt === null ? null : sqliteTime(snapshot.nextRunAt),
        windowEndsAt: snapshot.windowEndsAt === null ? null : sqliteTime(snapshot.windowEndsAt),
        queue: JSON.stringify(snapshot.queue),
        running: JSON.stringify(snapshot.running),
        httpUrl: snapshot.httpUrl,
        rateLimitedUntil: snapshot.rateLimitedUntil === null ? null : sqliteTime(snapshot.rateLimitedUntil),
      });
    return result.changes === 1;
  });
}

/** Removes this process's registration (clean shutdown); false if it was not registered. */
export function releaseDaemonStatus(db: Database.Database, pid: number): boolean {
  return writeTransaction(
    db,
    () => db.prepare('DELETE FROM daemon_status WHERE id = 1 AND pid = ?').run(pid).changes === 1,
  );
}
