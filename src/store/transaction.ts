/**
 * Transactions for store modules (this folder only speaks SQL).
 *
 * Every write runs in BEGIN IMMEDIATE: the write lock is taken at the start,
 * where SQLite's busy handler waits for another writer. A deferred transaction
 * that reads and then writes would need to upgrade its lock, and in WAL mode
 * that upgrade fails at once with SQLITE_BUSY_SNAPSHOT when another process
 * wrote in between, without waiting (https://www.sqlite.org/lang_transaction.html).
 */
import type Database from 'better-sqlite3';
import { translateSqliteError } from './sqlite-errors.js';

/**
 * Runs `fn` in one BEGIN IMMEDIATE transaction: committed if it returns,
 * rolled back if it throws. Inside another transaction it becomes a savepoint.
 * SQLite errors come out as the contract's error classes.
 */
export function writeTransaction<T>(db: Database.Database, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (error) {
    throw translateSqliteError(error, db.name);
  }
}

/** Runs a read (or a single-statement write) with SQLite errors translated. */
export function withStoreErrors<T>(db: Database.Database, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translateSqliteError(error, db.name);
  }
}
