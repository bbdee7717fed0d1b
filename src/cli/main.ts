#!/usr/bin/env node
/**
 * The `hfsched` command. Each command group lives in its own file and is
 * listed here with its top-level name. Only the group named on the command
 * line is loaded (each costs start-up time: its modules and their
 * dependencies); help, a version query or an unknown name loads them all.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { createProgram, findCommand } from './program.js';

type Register = (program: Command, context: CliContext) => void;

/** In the order `hfsched --help` lists them. */
const GROUPS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['init', async () => (await import('./init.js')).registerInitCommand],
  ['migrate', async () => (await import('./migrate.js')).registerMigrateCommand],
  [
    'model',
    async () => {
      const [models, control, set] = await Promise.all([
        import('./models.js'),
        import('./model-control.js'),
        import('./model-set.js'),
      ]);
      return (program, context) => {
        models.registerModelCommands(program, context);
        // `model pause|resume|retry` and `model set` extend the model command.
        control.registerModelControlCommands(findCommand(program, 'model'), context);
        set.registerModelSetCommand(findCommand(program, 'model'), context);
      };
    },
  ],
  ['schedule', async () => (await import('./schedules.js')).registerScheduleCommands],
  ['config', async () => (await import('./config.js')).registerConfigCommands],
  ['history', async () => (await import('./history.js')).registerHistoryCommand],
  ['daemon', async () => (await import('./daemon.js')).registerDaemonCommand],
  ['status', async () => (await import('./status.js')).registerStatusCommand],
  ['run-now', async () => (await import('./run-now.js')).registerRunNowCommand],
  ['pull', async () => (await import('./pull.js')).registerPullCommand],
  ['apply', async () => (await import('./apply.js')).registerApplyCommand],
  ['verify', async () => (await import('./verify.js')).registerVerifyCommand],
  ['cache', async () => (await import('./cache.js')).registerCacheCommands],
];

/** The first word of `argv` that is not an option (nor the value of `--db`): the command group's name. */
function commandName(argv: readonly string[]): string | null {
  for (let index = 2; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--db') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

const { program, context, run } = createProgram();
const name = commandName(process.argv);
const wanted = GROUPS.filter(([group]) => group === name);
for (const [, load] of wanted.length > 0 ? wanted : GROUPS) (await load())(program, context);

process.exitCode = await run(process.argv);
