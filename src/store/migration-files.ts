/**
 * The migration files: `migrations/NNN_name.sql`, each holding an up part
 * and a down part:
 *
 *     -- up
 *     CREATE TABLE ...;
 *     -- down
 *     DROP TABLE ...;
 *
 * Text before `-- up` is a free comment. Versions are the file numbers and
 * must run 1, 2, 3, ... without gaps. The `migrations/` folder is found by
 * walking up from this compiled module's own folder, so any build output
 * folder inside the repository (or an installed package) works.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseError } from '../errors.js';

export interface Migration {
  version: number;
  /** The file name's part after the number, e.g. `initial_schema`. */
  name: string;
  fileName: string;
  up: string;
  down: string;
}

const MIGRATION_FILE = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;
const FIRST_MIGRATION = /^0*1_[A-Za-z0-9_-]+\.sql$/;

let cachedFolder: string | null = null;

/** The `migrations/` folder next to the nearest ancestor of this module. */
export function findMigrationsFolder(): string {
  if (cachedFolder !== null) return cachedFolder;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(candidate) && readdirSync(candidate).some((file) => FIRST_MIGRATION.test(file))) {
      cachedFolder = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new DatabaseError(
        `no migrations/ folder with 001_*.sql found above ${dirname(fileURLToPath(import.meta.url))}; reinstall hfsched`,
      );
    }
    dir = parent;
  }
}

/** Splits a migration file's text into its up and down parts. */
export function parseMigration(fileName: string, text: string): Migration {
  const match = MIGRATION_FILE.exec(fileName);
  if (match === null) throw new DatabaseError(`migration file name ${fileName} is not NNN_name.sql`);
  const lines = text.split(/\r?\n/);
  const upLine = lines.findIndex((line) => /^--\s*up\s*$/i.test(line));
  const downLine = lines.findIndex((line) => /^--\s*down\s*$/i.test(line));
  if (upLine === -1 || downLine === -1 || downLine < upLine) {
    throw new DatabaseError(`migration ${fileName} needs a "-- up" line followed by a "-- down" line`);
  }
  return {
    version: Number(match[1]),
    name: match[2] as string,
    fileName,
    up: lines.slice(upLine + 1, downLine).join('\n'),
    down: lines.slice(downLine + 1).join('\n'),
  };
}

/** Every migration, in version order (1, 2, 3, ... with no gap). */
export function loadMigrations(folder: string = findMigrationsFolder()): Migration[] {
  const migrations = readdirSync(folder)
    .filter((file) => MIGRATION_FILE.test(file))
    .map((file) => parseMigration(file, readFileSync(join(folder, file), 'utf8')))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new DatabaseError(
        `migrations in ${folder} must be numbered 1, 2, 3, ... without gaps or duplicates; found ${migration.fileName} at position ${index + 1}`,
      );
    }
  });
  return migrations;
}

/** The highest migration version available: the schema version this hfsched needs. */
export function latestSchemaVersion(): number {
  return loadMigrations().length;
}
