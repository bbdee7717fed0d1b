/** Read-only views for `hfsched status`, the metrics and the health check. */
import type Database from 'better-sqlite3';
import { mapSession, type SessionRow } from './row-mapping.js';
import { withStoreErrors } from './transaction.js';
import { MODEL_STATUSES, type DownloadSession, type ModelStatus } from './types.js';

export interface OpenSessionView {
  session: DownloadSession;
  modelName: string;
}

/** Sessions still `started` or `in_progress`, with their model's name, oldest first. */
export function openDownloadSessions(db: Database.Database): OpenSessionView[] {
  return withStoreErrors(db, () => {
    const rows = db
      .prepare(
        `SELECT s.*, m.name AS model_name FROM download_sessions s JOIN models m ON m.id = s.model_id
         WHERE s.status IN ('started', 'in_progress') ORDER BY s.id`,
      )
      .all() as (SessionRow & { model_name: string })[];
    return rows.map((row) => ({ session: mapSession(row), modelName: row.model_name }));
  });
}

/** How many models have each status (every status present, 0 when none). */
export function modelCountsByStatus(db: Database.Database): Record<ModelStatus, number> {
  return withStoreErrors(db, () => {
    const counts = Object.fromEntries(MODEL_STATUSES.map((status) => [status, 0])) as Record<ModelStatus, number>;
    const rows = db.prepare('SELECT status, count(*) AS n FROM models GROUP BY status').all() as {
      status: ModelStatus;
      n: number;
    }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  });
}

/** A trivial query: does the database answer? (health check) */
export function pingDatabase(db: Database.Database): void {
  withStoreErrors(db, () => db.prepare('SELECT 1').get());
}

/**
 * `PRAGMA data_version`: a number that changes when ANOTHER connection has
 * committed to the database since this one last looked, and never for this
 * connection's own writes (https://www.sqlite.org/pragma.html#pragma_data_version).
 * Reading it touches no table, so it costs next to nothing.
 */
export function dataVersion(db: Database.Database): number {
  return withStoreErrors(db, () => db.pragma('data_version', { simple: true }) as number);
}
