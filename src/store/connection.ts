/**
 * Opening a connection with the settings every hfsched connection needs.
 *
 * - WAL: readers never block the writer and the writer never blocks readers,
 *   so the CLI can read while the daemon writes (https://www.sqlite.org/wal.html).
 * - busy_timeout: a writer waits for another process's write to finish
 *   instead of failing with SQLITE_BUSY (all writes use BEGIN IMMEDIATE, see
 *   transaction.ts, so the wait happens where the busy handler applies).
 * - foreign_keys: off by default in SQLite; the contract's REFERENCES need it.
 * - synchronous=NORMAL: durable across application crashes, and the usual
 *   choice with WAL (https://www.sqlite.org/pragma.html#pragma_synchronous).
 *
 * A CLI call opens one connection; a long-running process keeps one for its
 * whole life. Every connection still open when the process exits is closed
 * then, so WAL is checkpointed and the -wal/-shm files are cleaned up.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConnectionError } from '../errors.js';
import { refuseNetworkFilesystem } from './database-filesystem.js';
import { sqliteErrorCode, translateSqliteError } from './sqlite-errors.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

export interface ConnectionOptions {
  /** Create the file if it does not exist (its folder must exist). Default: false. */
  create?: boolean;
  /** How long a write waits for another writer, in ms. Default: 10 000. */
  busyTimeoutMs?: number;
}

const openConnections = new Set<Database.Database>();
let exitHookInstalled = false;

function closeOpenConnectionsOnExit(): void {
  for (const db of openConnections) {
    if (db.open) db.close();
  }
  openConnections.clear();
}

/** Opens `dbPath` with WAL, foreign keys, a busy timeout and synchronous=NORMAL. */
export function openConnection(dbPath: string, options: ConnectionOptions = {}): Database.Database {
  const create = options.create ?? false;
  if (!create && !existsSync(dbPath)) {
    throw new ConnectionError(`no database at ${dbPath}; run "hfsched init"`);
  }
  if (dbPath !== ':memory:') refuseNetworkFilesystem(dbPath, existsSync(dbPath));
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: Database.Database;
  try {
    db = new Database(dbPath, { fileMustExist: !create, timeout: busyTimeoutMs });
  } catch (error) {
    if (sqliteErrorCode(error)?.startsWith('SQLITE_CANTOPEN') || !(error instanceof Database.SqliteError)) {
      throw new ConnectionError(
        `cannot open database ${dbPath}: ${error instanceof Error ? error.message : String(error)}; check that its folder exists and is writable, or run "hfsched init"`,
        { cause: error },
      );
    }
    throw translateSqliteError(error, dbPath);
  }
  try {
    setJournalModeWal(db);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw translateSqliteError(error, dbPath);
  }
  openConnections.add(db);
  if (!exitHookInstalled) {
    process.once('exit', closeOpenConnectionsOnExit);
    exitHookInstalled = true;
  }
  return db;
}

/** Closes a connection opened by `openConnection` (again is harmless). */
export function closeConnection(db: Database.Database): void {
  openConnections.delete(db);
  if (db.open) db.close();
}

/**
 * Switching a new file to WAL needs an exclusive lock for a moment. When two
 * processes create the database at the same time, SQLite may answer
 * SQLITE_BUSY here without calling the busy handler, so retry for as long as
 * the busy timeout would have waited.
 */
function setJournalModeWal(db: Database.Database): void {
  const deadline = Date.now() + DEFAULT_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = sqliteErrorCode(error);
      if (code === null || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
