/**
 * Creating, migrating and opening a database file: the contract's
 * `initialize_database` and `migrate_database`, and `openStore`.
 *
 * Both contract functions return true on success and raise one of the
 * contract's errors otherwise: a bare `false` would lose the reason (which
 * folder, which migration) that the user needs to fix it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closeConnection, openConnection, type ConnectionOptions } from './connection.js';
import { ConnectionError, OperationalError } from '../errors.js';
import { latestSchemaVersion, loadMigrations } from './migration-files.js';
import { currentSchemaVersion, migrateConnection } from './migrations.js';
import { Store } from './store.js';
import { insertSystemConfigIfMissing } from './system-config.js';
import { writeTransaction } from './transaction.js';

/** A `system_configurations` row to write when the key has no value yet. */
export interface DefaultSetting {
  key: string;
  value: string;
  description: string;
}

/**
 * Creates the file (and its folder) if needed, migrates it to the latest
 * schema and seeds `defaultSettings` (the CLI passes config's
 * SETTING_DEFAULTS) without overwriting any value already set. Running it
 * again changes nothing.
 */
export function initializeDatabase(dbPath: string, defaultSettings: readonly DefaultSetting[] = []): boolean {
  const folder = dirname(resolve(dbPath));
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new ConnectionError(
      `cannot create the folder ${folder} for database ${dbPath}: ${(error as Error).message}; choose another path (HFSCHED_DB)`,
      { cause: error },
    );
  }
  const db = openConnection(dbPath, { create: true });
  try {
    const migrations = loadMigrations();
    migrateConnection(db, migrations.length, migrations);
    writeTransaction(db, () => {
      for (const setting of defaultSettings) {
        insertSystemConfigIfMissing(db, setting.key, setting.value, setting.description);
      }
    });
    return true;
  } finally {
    closeConnection(db);
  }
}

/**
 * Moves an existing database up or down to schema version `target`, one
 * transaction per migration. ConnectionError if the file does not exist;
 * ValidationError for a version that does not exist; a failing step raises
 * and leaves the database at the version before it.
 */
export function migrateDatabase(dbPath: string, target: number): boolean {
  const db = openConnection(dbPath);
  try {
    migrateConnection(db, target);
    return true;
  } finally {
    closeConnection(db);
  }
}

/** The schema version of the database file at `dbPath` (0 for an empty file). */
export function schemaVersionOf(dbPath: string): number {
  const db = openConnection(dbPath);
  try {
    return currentSchemaVersion(db);
  } finally {
    closeConnection(db);
  }
}

/**
 * Opens an initialized database at the latest schema version.
 * ConnectionError: no such file (run "hfsched init").
 * OperationalError: the schema is older (run "hfsched migrate") or newer
 * (upgrade hfsched) than this hfsched's.
 */
export function openStore(dbPath: string, options: Pick<ConnectionOptions, 'busyTimeoutMs'> = {}): Store {
  const db = openConnection(dbPath, options);
  try {
    const current = currentSchemaVersion(db);
    const latest = latestSchemaVersion();
    if (current < latest) {
      throw new OperationalError(
        current === 0
          ? `database ${dbPath} is not initialized; run "hfsched init"`
          : `database ${dbPath} is at schema version ${current}, this hfsched needs ${latest}; run "hfsched migrate"`,
      );
    }
    if (current > latest) {
      throw new OperationalError(
        `database ${dbPath} is at schema version ${current}, newer than this hfsched knows (${latest}); upgrade hfsched`,
      );
    }
  } catch (error) {
    closeConnection(db);
    throw error;
  }
  return new Store(dbPath, db);
}
