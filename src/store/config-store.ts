/**
 * `store.config`: the settings stored in the database, text values by key
 * (their names, types and defaults are src/config/'s). Each method forwards
 * to system-config.ts.
 */
import type Database from 'better-sqlite3';
import * as systemConfig from './system-config.js';
import type { SystemConfiguration } from './types.js';

export class ConfigStore {
  constructor(private readonly db: Database.Database) {}

  /** The value of `key`, else `defaultValue`, else null. */
  get(key: string, defaultValue?: string | null): string | null {
    return systemConfig.getSystemConfig(this.db, key, defaultValue);
  }

  /** Creates or replaces the value; the description is replaced only when given. */
  set(key: string, value: string, options: { description?: string | null | undefined } = {}): boolean {
    return systemConfig.setSystemConfig(this.db, key, value, options);
  }

  /** Every row, by key. */
  list(): SystemConfiguration[] {
    return systemConfig.listSystemConfig(this.db);
  }
}
