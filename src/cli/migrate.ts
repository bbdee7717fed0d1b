/**
 * `hfsched migrate [--to N]`: move the database up (default: to the latest
 * schema) or down to a version, one transaction per step.
 */
import type { Command } from 'commander';
import { latestSchemaVersion, migrateDatabase, schemaVersionOf } from '../store/index.js';
import type { CliContext } from './context.js';
import { wholeNumber } from './option-parsers.js';

export function registerMigrateCommand(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('migrate the database schema up or down (default: to the latest version)')
    .option('--to <version>', 'target schema version (0 .. latest)', wholeNumber(0, 10_000))
    .option('--json', 'print {path, from, to} as JSON')
    .addHelpText('after', '\nExamples:\n  hfsched migrate\n  hfsched migrate --to 2')
    .action((options: { to?: number; json?: boolean }) => {
      const path = context.databasePath();
      const from = schemaVersionOf(path);
      const to = options.to ?? latestSchemaVersion();
      migrateDatabase(path, to);
      if (options.json) return context.output.json({ path, from, to });
      context.output.text(
        from === to
          ? `Database ${path} is already at schema version ${to}.`
          : `Migrated ${path} from schema version ${from} to ${to}.`,
      );
    });
}
