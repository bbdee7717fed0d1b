/**
 * `hfsched config get|set|unset|list`: the settings in `system_configurations`,
 * validated when set (src/config/settings.ts), listed with their effective
 * value and where it comes from (environment, database, default).
 */
import type { Command } from 'commander';
import { explainCacheDir } from '../config/hub-location.js';
import {
  describeSetting,
  describeSettings,
  findSettingSpec,
  humanSettingValue,
  machineTimeZone,
  setSetting,
  unsetSetting,
  type SettingDescription,
  type SettingSpec,
} from '../config/settings.js';
import type { CliContext } from './context.js';

/** What a value means, for people reading `config list`: sizes in units, an empty value's meaning. */
function shownValue(row: SettingDescription, env: NodeJS.ProcessEnv): string {
  if (row.value !== '') return humanSettingValue(row.key, row.value);
  if (row.key === 'scheduler.timezone') return `(machine's: ${machineTimeZone()})`;
  if (row.key === 'hub.cache_dir') {
    const effective = explainCacheDir(null, env);
    return `(default: ${effective.path}, from ${effective.origin})`;
  }
  return '(empty)';
}

/** A setting as `config get|set|unset --json` print it; hub.cache_dir adds the folder in use and why. */
interface SettingView extends SettingDescription {
  effective?: { path: string; origin: string };
}

function settingView(row: SettingDescription, env: NodeJS.ProcessEnv): SettingView {
  if (row.key !== 'hub.cache_dir') return row;
  return { ...row, effective: explainCacheDir(row.value, env) };
}

/** The notes after a change: an environment variable that wins over it, a restart it needs. */
function changeNotes(context: CliContext, spec: SettingSpec): void {
  const override = spec.envVar === null ? undefined : context.env[spec.envVar];
  if (override !== undefined && override !== '') {
    context.output.note(`${spec.envVar} is set in this environment and overrides ${spec.key}`);
  }
  if (!spec.live) context.output.note(`${spec.key} takes effect when the daemon restarts`);
}

/** "download.bandwidth_limit = 20971520 (20.0 MiB/s)". */
function assignmentText(key: string, stored: string): string {
  const human = humanSettingValue(key, stored);
  return `${key} = ${stored === '' ? '""' : stored}${human === stored ? '' : ` (${human})`}`;
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
          shownValue(row, context.env),
          row.source === 'environment' && row.envVar !== null ? `environment (${row.envVar})` : row.source,
          row.live ? 'yes' : 'restart',
        ]),
      );
    });
}

function registerGet(config: Command, context: CliContext): void {
  config
    .command('get')
    .description('print the effective value of a setting (for hub.cache_dir: the folder in use, and why)')
    .argument('<key>', 'setting key, e.g. download.max_retries')
    .option('--json', 'print the setting (value, source, description) as JSON')
    .action(async (key: string, options: { json?: boolean }) => {
      findSettingSpec(key);
      const row = settingView(
        await context.withStore((store) => describeSetting(store, key, context.env)),
        context.env,
      );
      if (options.json) return context.output.json(row);
      if (row.effective === undefined) return context.output.text(row.value);
      // The folder alone on stdout, for scripts; where it came from on stderr.
      context.output.text(row.effective.path);
      context.output.note(`from ${row.effective.origin}`);
    });
}

function registerSet(config: Command, context: CliContext): void {
  config
    .command('set')
    .description('validate and store a setting (a running daemon picks most up within seconds)')
    .argument('<key>', 'setting key, e.g. download.max_retries')
    .argument('<value>', 'new value; an empty string "" restores an empty default')
    .option('--json', 'print the setting as stored (value, source, description) as JSON')
    .addHelpText(
      'after',
      "\nSizes and rates take curl's and aria2c's units: 20M = 20 MiB (K, M, G, T are powers of 1024), or 20MB = 20,000,000." +
        '\nExamples:\n  hfsched config set download.bandwidth_limit 20M\n  hfsched config set scheduler.timezone Europe/Paris',
    )
    .action(async (key: string, value: string, options: { json?: boolean }) => {
      const spec = findSettingSpec(key);
      const { stored, row } = await context.withStore((store) => ({
        stored: setSetting(store, key, value),
        row: describeSetting(store, key, context.env),
      }));
      if (options.json) context.output.json(settingView(row, context.env));
      else context.output.done(assignmentText(key, stored));
      changeNotes(context, spec);
    });
}

function registerUnset(config: Command, context: CliContext): void {
  config
    .command('unset')
    .description('return a setting to its default')
    .argument('<key>', 'setting key, e.g. download.bandwidth_limit')
    .option('--json', 'print the setting as it now is (value, source, description) as JSON')
    .action(async (key: string, options: { json?: boolean }) => {
      const spec = findSettingSpec(key);
      const { stored, row } = await context.withStore((store) => ({
        stored: unsetSetting(store, key),
        row: describeSetting(store, key, context.env),
      }));
      if (options.json) context.output.json(settingView(row, context.env));
      else context.output.done(`${assignmentText(key, stored)} (the default)`);
      changeNotes(context, spec);
    });
}

export function registerConfigCommands(program: Command, context: CliContext): Command {
  const config = program.command('config').description('read and change settings');
  registerList(config, context);
  registerGet(config, context);
  registerSet(config, context);
  registerUnset(config, context);
  return config;
}
