/**
 * `store.downloads`: download sessions and the worker's transactions that
 * move a session and its model together. Each method forwards to
 * download-sessions.ts, download-lifecycle.ts or status-views.ts, which
 * validate, run one short transaction and translate SQLite's errors.
 */
import type Database from 'better-sqlite3';
import * as lifecycle from './download-lifecycle.js';
import * as sessions from './download-sessions.js';
import * as views from './status-views.js';
import type { OpenSessionView } from './status-views.js';
import type {
  DownloadProgress,
  DownloadResult,
  DownloadSession,
  DownloadSessionUpdate,
  DownloadStart,
  NewDownloadSession,
} from './types.js';

export class DownloadStore {
  constructor(private readonly db: Database.Database) {}

  // The contract's operations (they touch the session only)

  /** A new `started` session. NotFoundError: no such model or schedule. */
  createSession(session: NewDownloadSession): DownloadSession {
    return sessions.createDownloadSession(this.db, session);
  }

  /** false: no such session. StateTransitionError: illegal move or an ended session. */
  updateSession(id: number, update: DownloadSessionUpdate): boolean {
    return sessions.updateDownloadSession(this.db, id, update);
  }

  /** The model's sessions, newest first, at most `limit` (default 10). */
  history(modelId: number, options: { limit?: number | undefined } = {}): DownloadSession[] {
    return sessions.getDownloadHistory(this.db, modelId, options);
  }

  getSession(id: number): DownloadSession | null {
    return sessions.getDownloadSession(this.db, id);
  }

  /** Sessions still `started` or `in_progress`, with their model's name, oldest first. */
  openSessions(): OpenSessionView[] {
    return views.openDownloadSessions(this.db);
  }

  // The worker's transactions: session and model together (download-lifecycle.ts)

  /** Model `downloading` and a new `started` session. StateTransitionError: it already downloads. */
  begin(start: DownloadStart): DownloadSession {
    return lifecycle.beginDownload(this.db, start);
  }

  /** Session `in_progress` with its bytes. false: no such session, or it has ended. */
  recordProgress(sessionId: number, progress: DownloadProgress): boolean {
    return lifecycle.recordDownloadProgress(this.db, sessionId, progress);
  }

  /** Session and model `completed`, with the snapshot's path, size, commit and files. */
  complete(sessionId: number, result: DownloadResult): void {
    lifecycle.completeDownload(this.db, sessionId, result);
  }

  /** Session and model `failed`, with the error. */
  fail(sessionId: number, errorMessage: string): void {
    lifecycle.failDownload(this.db, sessionId, errorMessage);
  }

  /** Session `cancelled` with the reason, model `paused`. */
  cancel(sessionId: number, reason: string): void {
    lifecycle.cancelDownload(this.db, sessionId, reason);
  }

  /** After a crash: open sessions `failed` ("interrupted"), their models `paused`; spares what `isStillRunning` owns. */
  recoverInterrupted(isStillRunning?: (session: DownloadSession) => boolean): DownloadSession[] {
    return lifecycle.recoverInterruptedSessions(this.db, isStillRunning);
  }
}
