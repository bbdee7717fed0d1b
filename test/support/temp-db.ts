/**
 * A fresh, initialized hfsched database in its own temporary folder, for
 * tests. `cleanup()` closes the store and removes the folder; call it in an
 * `after`/`afterEach` hook or a `finally`.
 *
 *     const db = createTempDatabase();
 *     try { db.store.models.create({ name: 'org/name' }); } finally { db.cleanup(); }
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';
import { closeConnection, openConnection } from '../../src/store/connection.js';
import { initializeDatabase, openStore, type Store } from '../../src/store/index.js';

export interface TempDatabase {
  /** The temporary folder holding the database (and anything else the test puts there). */
  dir: string;
  /** The database file, initialized to the latest schema with default settings. */
  dbPath: string;
  /** An open store on `dbPath`. */
  store: Store;
  /**
   * A second connection to `dbPath`, opened as the store opens its own (WAL,
   * foreign keys, busy timeout), for a test that must write or read what the
   * store's API refuses or hides (the store keeps its connection private).
   */
  sql(): Database.Database;
  /** Closes `store` and deletes `dir`. Calling it twice is harmless. */
  cleanup(): void;
}

export function createTempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
  const dbPath = join(dir, 'hfsched.db');
  try {
    initializeDatabase(dbPath, SETTING_DEFAULTS);
    const store = openStore(dbPath);
    let raw: Database.Database | null = null;
    return {
      dir,
      dbPath,
      store,
      sql() {
        raw ??= openConnection(dbPath);
        return raw;
      },
      cleanup() {
        if (raw !== null) closeConnection(raw);
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Points a temporary database at a test Hub, with the cache in `<dir>/cache`
 * and no free-disk floor (a test's tmpfs may be small). Returns the cache folder.
 */
export function useTestHub(db: TempDatabase, hubUrl: string): string {
  const cacheDir = join(db.dir, 'cache');
  db.store.config.set('hub.endpoint', hubUrl);
  db.store.config.set('hub.cache_dir', cacheDir);
  db.store.config.set('download.min_free_bytes', '0');
  return cacheDir;
}
