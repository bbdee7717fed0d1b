/**
 * `hfsched config get|set|list`: the settings in `system_configurations`,
 * validated when set (src/config/settings.ts), listed with their effective
 * value and where it comes from (environment, database, default).
 */
import type { Command } from 'commander';
import {
  describeSetting,
  describeSettings,
  findSettingSpec,
  machineTimeZone,
  setSetting,
  type SettingDescription,
} from '../config/settings.js';
import type { CliContext } from './context.js';

/** What an empty value means, for people reading `config list`. */
function shownValue(row: SettingDescription): string {
  if (row.value !== '') return row.value;
  if (row.key === 'scheduler.timezone') return `(machine's: ${machineTimeZone()})`;
  if (row.key === 'hub.cache_dir') return '(default: $HF_HOME/hub, else ~/.cache/huggingface/hub)';
  return '(empty)';
}

function registerList(config: Command, context: CliContext): void {
  config
    .command('list')
    .description('list every setting with its effective value and where it comes from')
    .option('--json', 'print the settings as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await context.withStore((store) => describeSettings(store, context.env));
      if (options.json) return context.output.json(rows);
      context.output.table(
        ['KEY', 'VALUE', 'SOURCE', 'LIVE'],
        rows.map((row) => [
          row.key,
          shownValue(row),
          row.source === 'environment' && row.envVar !== null ? `environment (${row.envVar})` : row.source,
          row.live ? 'yes' : 'restart',
        ]),
      );
    });
}

function registerGet(config: Command, context: CliContext): void {
  config
    .command('get')
    .description('print the effective value of a setting')
    .argument('<key>', 'setting key, e.g. download.max_retries')
    .option('--json', 'print the setting (value, source, description) as JSON')
    .action(async (key: string, options: { json?: boolean }) => {
      findSettingSpec(key);
      const row = await context.withStore((store) => describeSetting(store, key, context.env));
      if (options.json) return context.output.json(row);
      context.output.text(row.value);
    });
}

function registerSet(config: Command, context: CliContext): void {
  config
    .command('set')
    .description('validate and store a setting (a running daemon picks most up within seconds)')
    .argument('<key>', 'setting key, e.g. download.max_retries')
    .argument('<value>', 'new value; an empty string "" restores an empty default')
    .addHelpText(
      'after',
      '\nExamples:\n  hfsched config set download.bandwidth_limit 20MB\n  hfsched config set scheduler.timezone Europe/Paris',
    )
    .action(async (key: string, value: string) => {
      const spec = findSettingSpec(key);
      const stored = await context.withStore((store) => setSetting(store, key, value));
      context.output.text(`${key} = ${stored === '' ? '""' : stored}`);
      const override = spec.envVar === null ? undefined : context.env[spec.envVar];
      if (override !== undefined && override !== '') {
        context.output.note(`${spec.envVar} is set in this environment and overrides ${key}`);
      }
      if (!spec.live) context.output.note(`${key} takes effect when the daemon restarts`);
    });
}

export function registerConfigCommands(program: Command, context: CliContext): Command {
  const config = program.command('config').description('read and change settings');
  registerList(config, context);
  registerGet(config, context);
  registerSet(config, context);
  return config;
}
