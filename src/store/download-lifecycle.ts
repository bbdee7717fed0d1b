/**
 * The worker's transactions: each one changes a download session and its
 * model together, so the two never disagree (a crash between two separate
 * writes would leave a model `downloading` with no live session, or the
 * other way round).
 *
 * A session's retry_count is the number of failed attempts just before it:
 * 0, unless the model is `failed`, then the previous session's count + 1.
 */
import type Database from 'better-sqlite3';
import { NotFoundError, ValidationError } from '../errors.js';
import { replaceModelFiles } from './model-keeping.js';
import { selectModel } from './models.js';
import { mapSession, type SessionRow } from './row-mapping.js';
import { assertSessionOwnersExist, insertSession, selectSession } from './download-sessions.js';
import { SQL_NOW } from './sql-time.js';
import { assertModelTransition, assertSessionTransition } from './state-machines.js';
import { writeTransaction } from './transaction.js';
import type {
  DownloadProgress,
  DownloadResult,
  DownloadSession,
  DownloadStart,
  JsonObject,
  Model,
  ModelStatus,
  SessionStatus,
} from './types.js';
import { serializeMetadata, validateByteCount, validateId } from './validation.js';

/** What `recoverInterruptedSessions` writes as the error of each session it ends. */
export const INTERRUPTED_MESSAGE = 'interrupted';

/**
 * Moves the model to `downloading` and opens a `started` session, in one
 * transaction; `cacheDir` becomes the model's cache folder if it has none
 * yet (its first download: partial files are there from now on).
 * NotFoundError: no such model or schedule.
 * StateTransitionError: the model is already downloading.
 */
export function beginDownload(
  db: Database.Database,
  { modelId, scheduleId, cacheDir = null }: DownloadStart,
): DownloadSession {
  validateId(modelId, 'model');
  if (scheduleId !== null) validateId(scheduleId, 'schedule');
  return writeTransaction(db, () => {
    assertSessionOwnersExist(db, modelId, scheduleId);
    const model = selectModel(db, modelId) as Model;
    assertModelTransition(model.name, model.status, 'downloading');
    let retryCount = 0;
    if (model.status === 'failed') {
      const previous = db
        .prepare('SELECT retry_count FROM download_sessions WHERE model_id = ? ORDER BY id DESC LIMIT 1')
        .get(modelId) as { retry_count: number | null } | undefined;
      retryCount = (previous?.retry_count ?? 0) + 1;
    }
    db.prepare("UPDATE models SET status = 'downloading', cache_dir = COALESCE(cache_dir, ?) WHERE id = ?").run(
      cacheDir,
      modelId,
    );
    return insertSession(db, modelId, scheduleId, retryCount);
  });
}

function mergedMetadata(session: DownloadSession, metadata: JsonObject | undefined): string | null {
  if (metadata === undefined) return session.metadata === null ? null : JSON.stringify(session.metadata);
  return serializeMetadata({ ...(session.metadata ?? {}), ...metadata }, 'session metadata');
}

/**
 * Records progress and moves the session to `in_progress`. `totalBytes` null
 * keeps the known total; `metadata` is merged (shallowly). false when the
 * session does not exist or has already ended (a late progress report after
 * a cancel is dropped, not an error).
 */
export function recordDownloadProgress(
  db: Database.Database,
  sessionId: number,
  { bytesDownloaded, totalBytes, metadata }: DownloadProgress,
): boolean {
  validateId(sessionId, 'download session');
  validateByteCount(bytesDownloaded, 'bytes downloaded');
  if (totalBytes !== null) validateByteCount(totalBytes, 'total bytes');
  if (metadata !== undefined) serializeMetadata(metadata, 'session metadata');
  return writeTransaction(db, () => {
    const session = selectSession(db, sessionId);
    if (session === null || (session.status !== 'started' && session.status !== 'in_progress')) return false;
    db.prepare(
      `UPDATE download_sessions
       SET status = 'in_progress', bytes_downloaded = ?, total_bytes = COALESCE(?, total_bytes), metadata = ?
       WHERE id = ?`,
    ).run(bytesDownloaded, totalBytes, mergedMetadata(session, metadata), sessionId);
    return true;
  });
}

/**
 * Ends an open session and moves its model, in one transaction.
 * NotFoundError: no such session. StateTransitionError: the session has
 * already ended, or the model is not in a state that allows `modelStatus`.
 */
function endDownload(
  db: Database.Database,
  sessionId: number,
  sessionStatus: SessionStatus,
  modelStatus: ModelStatus,
  changes: { errorMessage: string | null; result: DownloadResult | null },
): void {
  writeTransaction(db, () => {
    const session = selectSession(db, sessionId);
    if (session === null) throw new NotFoundError(`download session ${sessionId} not found`);
    assertSessionTransition(sessionId, session.status, sessionStatus);
    const model = selectModel(db, session.modelId) as Model;
    assertModelTransition(model.name, model.status, modelStatus);
    const result = changes.result;
    db.prepare(
      `UPDATE download_sessions
       SET status = @status, completed_at = ${SQL_NOW}, error_message = @errorMessage, metadata = @metadata,
           bytes_downloaded = COALESCE(@size, bytes_downloaded), total_bytes = COALESCE(@size, total_bytes)
       WHERE id = @id`,
    ).run({
      id: sessionId,
      status: sessionStatus,
      errorMessage: changes.errorMessage,
      metadata: mergedMetadata(session, result?.metadata),
      size: result?.sizeBytes ?? null,
    });
    if (result === null) {
      db.prepare('UPDATE models SET status = ? WHERE id = ?').run(modelStatus, model.id);
    } else {
      // A completed snapshot is also a successful check of its branch, and ends any repair.
      db.prepare(
        `UPDATE models SET status = ?, download_path = ?, size_bytes = ?, current_commit = COALESCE(?, current_commit),
           cache_dir = COALESCE(?, cache_dir), last_checked_at = ${SQL_NOW}, last_check_error = NULL, status_reason = NULL
         WHERE id = ?`,
      ).run(
        modelStatus,
        result.downloadPath,
        result.sizeBytes,
        result.commit ?? null,
        result.cacheDir ?? null,
        model.id,
      );
      if (result.files !== undefined) replaceModelFiles(db, model.id, result.files);
    }
  });
}

function validateMessage(message: unknown, what: string): string {
  if (typeof message !== 'string' || message.trim().length === 0) {
    throw new ValidationError(`invalid ${what} ${JSON.stringify(message)}: expected a non-empty text`);
  }
  return message;
}

/** Session `completed`, model `completed` with its download path and size. */
export function completeDownload(db: Database.Database, sessionId: number, result: DownloadResult): void {
  validateId(sessionId, 'download session');
  validateMessage(result.downloadPath, 'download path');
  validateByteCount(result.sizeBytes, 'model size');
  if (result.metadata !== undefined) serializeMetadata(result.metadata, 'session metadata');
  endDownload(db, sessionId, 'completed', 'completed', { errorMessage: null, result });
}

/** Session `failed` with the error, model `failed`. */
export function failDownload(db: Database.Database, sessionId: number, errorMessage: string): void {
  validateId(sessionId, 'download session');
  validateMessage(errorMessage, 'error message');
  endDownload(db, sessionId, 'failed', 'failed', { errorMessage, result: null });
}

/** Session `cancelled` with the reason, model `paused` (partial files are kept for the next run). */
export function cancelDownload(db: Database.Database, sessionId: number, reason: string): void {
  validateId(sessionId, 'download session');
  validateMessage(reason, 'cancel reason');
  endDownload(db, sessionId, 'cancelled', 'paused', { errorMessage: reason, result: null });
}

/**
 * After a crash: every session still `started` or `in_progress` ends as
 * `failed` with the error "interrupted", and its model (left `downloading`)
 * becomes `paused`, so the next run resumes it from its partial files.
 * `isStillRunning` spares the sessions a live process still owns (a
 * `hfsched pull` running beside the daemon). Returns the sessions it ended.
 */
export function recoverInterruptedSessions(
  db: Database.Database,
  isStillRunning: (session: DownloadSession) => boolean = () => false,
): DownloadSession[] {
  return writeTransaction(db, () => {
    const open = (
      db
        .prepare("SELECT * FROM download_sessions WHERE status IN ('started', 'in_progress') ORDER BY id")
        .all() as SessionRow[]
    ).map(mapSession);
    const interrupted = open.filter((session) => !isStillRunning(session));
    const endSession = db.prepare(
      `UPDATE download_sessions SET status = 'failed', error_message = ?, completed_at = ${SQL_NOW} WHERE id = ?`,
    );
    const pauseModel = db.prepare("UPDATE models SET status = 'paused' WHERE id = ? AND status = 'downloading'");
    for (const session of interrupted) {
      endSession.run(INTERRUPTED_MESSAGE, session.id);
      pauseModel.run(session.modelId);
    }
    return interrupted.map((session) => selectSession(db, session.id) as DownloadSession);
  });
}
