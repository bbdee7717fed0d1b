/**
 * The migration runner. Each step (one migration's up or down part) runs in
 * one BEGIN IMMEDIATE transaction that also records the new version in
 * `schema_migrations`, so a failing step leaves the previous version intact.
 * The version is read again after the write lock is taken: a second process
 * migrating the same file at the same time waits for the lock, sees the step
 * already done, and moves on.
 *
 * Foreign keys are off during a step and checked with `PRAGMA
 * foreign_key_check` before COMMIT, as https://www.sqlite.org/lang_altertable.html#otheralter
 * recommends for table rebuilds (migration 002).
 */
import type Database from 'better-sqlite3';
import { DatabaseError, HfschedError, IntegrityError, OperationalError, ValidationError } from '../errors.js';
import { loadMigrations, type Migration } from './migration-files.js';
import { translateSqliteError } from './sqlite-errors.js';
import { withStoreErrors, writeTransaction } from './transaction.js';

const CREATE_SCHEMA_MIGRATIONS = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
  )`;

/** The schema version of an open database: 0 for an empty file. */
export function currentSchemaVersion(db: Database.Database): number {
  return withStoreErrors(db, () => {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (table === undefined) return 0;
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
      version: number | null;
    };
    return row.version ?? 0;
  });
}

/** Migrates an open connection up or down to `target`, one transaction per step. */
export function migrateConnection(
  db: Database.Database,
  target: number,
  migrations: Migration[] = loadMigrations(),
): void {
  if (!Number.isInteger(target) || target < 0 || target > migrations.length) {
    throw new ValidationError(`schema version ${target} does not exist; choose 0 to ${migrations.length}`);
  }
  writeTransaction(db, () => db.exec(CREATE_SCHEMA_MIGRATIONS));
  for (;;) {
    db.pragma('foreign_keys = OFF');
    let reachedTarget: boolean;
    try {
      reachedTarget = writeTransaction(db, () => applyNextStep(db, target, migrations));
    } finally {
      db.pragma('foreign_keys = ON');
    }
    if (reachedTarget) return;
  }
}

/** Inside the write lock: one step toward `target`; true when already there. */
function applyNextStep(db: Database.Database, target: number, migrations: Migration[]): boolean {
  const current = currentSchemaVersion(db);
  if (current > migrations.length) {
    throw new OperationalError(
      `database ${db.name} is at schema version ${current}, newer than this hfsched knows (${migrations.length}); upgrade hfsched`,
    );
  }
  if (current === target) return true;
  const goingUp = current < target;
  const migration = (goingUp ? migrations[current] : migrations[current - 1]) as Migration;
  try {
    db.exec(goingUp ? migration.up : migration.down);
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new IntegrityError(`it would leave ${violations.length} broken foreign key reference(s)`);
    }
  } catch (error) {
    throw stepFailure(db, migration, goingUp ? 'up' : 'down', current, error);
  }
  if (goingUp) {
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
  } else {
    db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(migration.version);
  }
  return false;
}

/** The same contract error class, saying which step failed and that nothing changed. */
function stepFailure(
  db: Database.Database,
  migration: Migration,
  direction: 'up' | 'down',
  current: number,
  error: unknown,
): HfschedError {
  const translated = translateSqliteError(error, db.name);
  const reason = error instanceof Error ? error.message : String(error);
  const message = `migration ${migration.fileName} (${direction}) failed on ${db.name}: ${reason}; the database stays at schema version ${current}`;
  const ErrorClass = translated.constructor as new (message: string, options?: { cause?: unknown }) => HfschedError;
  return ErrorClass === HfschedError
    ? new DatabaseError(message, { cause: error })
    : new ErrorClass(message, { cause: error });
}
