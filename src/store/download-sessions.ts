/**
 * The contract's download session operations. A session moves
 * started -> in_progress -> completed | failed | cancelled (started may end
 * directly); an ended session is never changed: updating one raises
 * StateTransitionError. These touch only the session; the worker's
 * transactions over both tables are in download-lifecycle.ts.
 */
import type Database from 'better-sqlite3';
import { NotFoundError } from '../errors.js';
import { selectModel } from './models.js';
import { mapSession, type SessionRow } from './row-mapping.js';
import { selectSchedule } from './schedules.js';
import { SQL_NOW } from './sql-time.js';
import { assertSessionTransition, ENDED_SESSION_STATUSES } from './state-machines.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import type { DownloadSession, DownloadSessionUpdate, NewDownloadSession } from './types.js';
import { validateByteCount, validateId, validateLimit, validateSessionStatus } from './validation.js';

export function selectSession(db: Database.Database, id: number): DownloadSession | null {
  const row = db.prepare('SELECT * FROM download_sessions WHERE id = ?').get(id) as SessionRow | undefined;
  return row === undefined ? null : mapSession(row);
}

/** NotFoundError unless the model (and the schedule, when given) exist. Inside a transaction. */
export function assertSessionOwnersExist(db: Database.Database, modelId: number, scheduleId: number | null): void {
  if (selectModel(db, modelId) === null) {
    throw new NotFoundError(`model ${modelId} not found; list models with "hfsched model list"`);
  }
  if (scheduleId !== null && selectSchedule(db, scheduleId) === null) {
    throw new NotFoundError(`schedule ${scheduleId} not found; list schedules with "hfsched schedule list"`);
  }
}

export function insertSession(
  db: Database.Database,
  modelId: number,
  scheduleId: number | null,
  retryCount: number,
): DownloadSession {
  const row = db
    .prepare(
      `INSERT INTO download_sessions (model_id, schedule_id, status, retry_count)
       VALUES (?, ?, 'started', ?) RETURNING *`,
    )
    .get(modelId, scheduleId, retryCount) as SessionRow;
  return mapSession(row);
}

/** A new `started` session (the model's status is not touched). NotFoundError for a missing model or schedule. */
export function createDownloadSession(
  db: Database.Database,
  { modelId, scheduleId }: NewDownloadSession,
): DownloadSession {
  validateId(modelId, 'model');
  const schedule = scheduleId === undefined || scheduleId === null ? null : validateId(scheduleId, 'schedule');
  return writeTransaction(db, () => {
    assertSessionOwnersExist(db, modelId, schedule);
    return insertSession(db, modelId, schedule, 0);
  });
}

/**
 * Moves a session to `status` and records progress; fields left out (or
 * null) keep their value. Sets `completed_at` when the session ends.
 * false: no such session. StateTransitionError: an illegal move, including
 * any change to an ended session.
 */
export function updateDownloadSession(
  db: Database.Database,
  id: number,
  { status, bytesDownloaded, totalBytes, errorMessage }: DownloadSessionUpdate,
): boolean {
  validateId(id, 'download session');
  validateSessionStatus(status);
  const bytes = bytesDownloaded == null ? null : validateByteCount(bytesDownloaded, 'bytes downloaded');
  const total = totalBytes == null ? null : validateByteCount(totalBytes, 'total bytes');
  return writeTransaction(db, () => {
    const session = selectSession(db, id);
    if (session === null) return false;
    assertSessionTransition(id, session.status, status);
    db.prepare(
      `UPDATE download_sessions
       SET status = @status,
           bytes_downloaded = COALESCE(@bytes, bytes_downloaded),
           total_bytes = COALESCE(@total, total_bytes),
           error_message = COALESCE(@errorMessage, error_message),
           completed_at = CASE WHEN @ends THEN ${SQL_NOW} ELSE completed_at END
       WHERE id = @id`,
    ).run({
      id,
      status,
      bytes,
      total,
      errorMessage: errorMessage ?? null,
      ends: ENDED_SESSION_STATUSES.includes(status) ? 1 : 0,
    });
    return true;
  });
}

/** The model's sessions, newest first, at most `limit`. */
export function getDownloadHistory(
  db: Database.Database,
  modelId: number,
  { limit = 10 }: { limit?: number | undefined } = {},
): DownloadSession[] {
  validateId(modelId, 'model');
  validateLimit(limit);
  return withStoreErrors(db, () =>
    (
      db
        .prepare('SELECT * FROM download_sessions WHERE model_id = ? ORDER BY id DESC LIMIT ?')
        .all(modelId, limit) as SessionRow[]
    ).map(mapSession),
  );
}

export function getDownloadSession(db: Database.Database, id: number): DownloadSession | null {
  validateId(id, 'download session');
  return withStoreErrors(db, () => selectSession(db, id));
}
