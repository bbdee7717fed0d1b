/**
 * Turns errors thrown by better-sqlite3 into the contract's error classes
 * (errors.ts), with a one-line message a user can act on. Raw SQLite errors
 * never leave the store: every public operation passes what it throws
 * through `translateSqliteError`.
 *
 * SQLite's extended result codes: https://www.sqlite.org/rescode.html
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectionError, DatabaseError, HfschedError, IntegrityError, OperationalError } from '../errors.js';

/** `code` of a better-sqlite3 SqliteError (e.g. `SQLITE_CONSTRAINT_UNIQUE`), or null. */
export function sqliteErrorCode(error: unknown): string | null {
  return error instanceof Database.SqliteError ? error.code : null;
}

/**
 * The contract error for `error`, thrown while working on the database at
 * `dbPath`. Errors that are already ours pass through unchanged.
 */
export function translateSqliteError(error: unknown, dbPath: string): HfschedError {
  if (error instanceof HfschedError) return error;
  const code = sqliteErrorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === null) {
    // better-sqlite3 throws a TypeError on a closed connection.
    if (error instanceof TypeError && /database connection is not open/i.test(detail)) {
      return new ConnectionError(`the database ${dbPath} is closed; open it again`, { cause: error });
    }
    return new DatabaseError(`database ${dbPath}: ${detail}`, { cause: error });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new IntegrityError(`database ${dbPath} refused the change: ${detail}`, { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new OperationalError(
      `database ${dbPath} is locked by another process or connection; try again, or stop the process holding it`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new OperationalError(
      `database ${dbPath} is read-only; check the permissions of the file and of its folder (SQLite writes -wal and -shm files next to it)`,
      { cause: error },
    );
  }
  // A full disk often comes back as a write I/O error (the WAL cannot grow),
  // so the disk's free space decides, not the code alone.
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && diskIsFull(dbPath))) {
    return new OperationalError(
      `no space left for the database at ${dbPath}; free some space on its disk and try again`,
      {
        cause: error,
      },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new OperationalError(
      `database ${dbPath} is corrupt or not an hfsched database; restore it from a backup or run "hfsched init" on a new path`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new OperationalError(`database ${dbPath}: disk I/O error (${detail}); check the disk and the file system`, {
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new ConnectionError(
      `cannot open database ${dbPath}: its folder is missing or not accessible; run "hfsched init" or check the path`,
      { cause: error },
    );
  }
  return new OperationalError(`database ${dbPath}: ${detail}`, { cause: error });
}

/** Less free than this on the database's disk counts as full: SQLite writes pages of 4 KiB and grows its WAL by many. */
const FULL_DISK_BYTES = 1024 * 1024;

/** Whether the disk holding the database has (almost) no room left; false when it cannot be told. */
function diskIsFull(dbPath: string): boolean {
  try {
    const stats = statfsSync(dirname(dbPath));
    return stats.bavail * stats.bsize < FULL_DISK_BYTES;
  } catch {
    return false;
  }
}
