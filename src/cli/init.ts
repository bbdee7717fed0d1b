/**
 * `hfsched init`: create the database (and its folder), bring it to the
 * latest schema and seed the default settings. Safe to run again: nothing
 * already set is overwritten.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SETTING_DEFAULTS } from '../config/setting-table.js';
import { initializeDatabase, latestSchemaVersion } from '../store/index.js';
import type { CliContext } from './context.js';

export function registerInitCommand(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('create the database with the default settings (safe to run again) and print its path')
    .option('--json', 'print {path, schemaVersion, created} as JSON')
    .action((options: { json?: boolean }) => {
      const path = context.databasePath();
      const existed = existsSync(path);
      initializeDatabase(path, SETTING_DEFAULTS);
      const schemaVersion = latestSchemaVersion();
      if (options.json) return context.output.json({ path, schemaVersion, created: !existed });
      context.output.text(
        existed
          ? `Database ${path} is ready (schema version ${schemaVersion}).`
          : `Created database ${path} (schema version ${schemaVersion}).`,
      );
    });
}
