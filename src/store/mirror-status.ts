/**
 * The mirrors serving this database's cache (migration 009's
 * `mirror_status`): one row per serving process, with its address and what
 * it has answered, for `hfsched status`.
 */
import type Database from 'better-sqlite3';
import { isoTimestamp } from './row-mapping.js';
import { SQL_NOW, sqliteTime } from './sql-time.js';
import { withStoreErrors, writeTransaction } from './transaction.js';

export interface MirrorStatusRecord {
  hostname: string;
  pid: number;
  url: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  heartbeatAt: string;
  requests: number;
  bytesSent: number;
}

interface MirrorStatusRow {
  hostname: string;
  pid: number;
  url: string;
  started_at: string;
  heartbeat_at: string;
  requests: number;
  bytes_sent: number;
}

export interface MirrorRegistration {
  hostname: string;
  pid: number;
  url: string;
  startedAt: Date;
}

/** Records a serving process (replacing a row a previous process with the same pid left). */
export function registerMirror(db: Database.Database, mirror: MirrorRegistration): void {
  writeTransaction(db, () => {
    db.prepare(
      `INSERT OR REPLACE INTO mirror_status (hostname, pid, url, started_at, heartbeat_at, requests, bytes_sent)
       VALUES (?, ?, ?, ?, ${SQL_NOW}, 0, 0)`,
    ).run(mirror.hostname, mirror.pid, mirror.url, sqliteTime(mirror.startedAt));
  });
}

/** The heartbeat with the totals since start; false when the row is gone. */
export function writeMirrorHeartbeat(
  db: Database.Database,
  key: { hostname: string; pid: number },
  totals: { requests: number; bytesSent: number },
): boolean {
  return writeTransaction(
    db,
    () =>
      db
        .prepare(
          `UPDATE mirror_status SET heartbeat_at = ${SQL_NOW}, requests = ?, bytes_sent = ? WHERE hostname = ? AND pid = ?`,
        )
        .run(totals.requests, totals.bytesSent, key.hostname, key.pid).changes === 1,
  );
}

export function releaseMirror(db: Database.Database, key: { hostname: string; pid: number }): boolean {
  return writeTransaction(
    db,
    () =>
      db.prepare('DELETE FROM mirror_status WHERE hostname = ? AND pid = ?').run(key.hostname, key.pid).changes === 1,
  );
}

/** Every row, alive or not (src/control/liveness.ts judges), oldest first. */
export function listMirrors(db: Database.Database): MirrorStatusRecord[] {
  return withStoreErrors(db, () =>
    (db.prepare('SELECT * FROM mirror_status ORDER BY started_at, pid').all() as MirrorStatusRow[]).map((row) => ({
      hostname: row.hostname,
      pid: row.pid,
      url: row.url,
      startedAt: isoTimestamp(row.started_at),
      heartbeatAt: isoTimestamp(row.heartbeat_at),
      requests: row.requests,
      bytesSent: row.bytes_sent,
    })),
  );
}
