/** The contract's system configuration operations: text values by key. */
import type Database from 'better-sqlite3';
import { ValidationError } from '../errors.js';
import { mapSystemConfig, type SystemConfigRow } from './row-mapping.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import type { SystemConfiguration } from './types.js';
import { validateConfigKey } from './validation.js';

/** The value of `key`, else `defaultValue`, else null. */
export function getSystemConfig(db: Database.Database, key: string, defaultValue?: string | null): string | null {
  return withStoreErrors(db, () => {
    const row = db.prepare('SELECT value FROM system_configurations WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row === undefined ? (defaultValue ?? null) : row.value;
  });
}

/**
 * Creates or replaces the value of `key`. The description is replaced only
 * when given. Returns true once written.
 */
export function setSystemConfig(
  db: Database.Database,
  key: string,
  value: string,
  { description }: { description?: string | null | undefined } = {},
): boolean {
  validateConfigKey(key);
  if (typeof value !== 'string') {
    throw new ValidationError(`invalid value for configuration key "${key}": expected text, got ${typeof value}`);
  }
  return writeTransaction(db, () => {
    db.prepare(
      `INSERT INTO system_configurations (key, value, description) VALUES (@key, @value, @description)
       ON CONFLICT (key) DO UPDATE SET
         value = excluded.value,
         description = COALESCE(excluded.description, system_configurations.description)`,
    ).run({ key, value, description: description ?? null });
    return true;
  });
}

/** Inserts `key` only if it is not set yet (seeding defaults never overwrites). */
export function insertSystemConfigIfMissing(
  db: Database.Database,
  key: string,
  value: string,
  description: string,
): void {
  db.prepare(
    'INSERT INTO system_configurations (key, value, description) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
  ).run(key, value, description);
}

/** Every row, by key. */
export function listSystemConfig(db: Database.Database): SystemConfiguration[] {
  return withStoreErrors(db, () =>
    (db.prepare('SELECT * FROM system_configurations ORDER BY key').all() as SystemConfigRow[]).map(mapSystemConfig),
  );
}
