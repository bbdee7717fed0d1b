/**
 * Runs the command named on the command line. Each command group lives in its
 * own file and is listed here with its top-level name. Only the group named on
 * the command line is loaded (each costs start-up time: its modules and their
 * dependencies); help or an unknown name loads them all. main.ts answers
 * `hfsched --version` without loading this.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type * as ProgramModule from './program.js';
import { commandName } from './command-line.js';

type Register = (program: Command, context: CliContext) => void;

/** Set once program.js is loaded (the groups below use it). */
let findCommand: typeof ProgramModule.findCommand;

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
  ['completion', async () => (await import('./completion.js')).registerCompletionCommand],
  ['serve', async () => (await import('./serve.js')).registerServeCommand],
];

/** Loads the program and the command group named on the command line, runs it, and returns its exit code. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const programModule = await import('./program.js');
  findCommand = programModule.findCommand;
  const { program, context, run } = programModule.createProgram();
  const name = commandName(argv);
  // A completion script describes every command: it needs them all loaded.
  const wanted = name === 'completion' ? [] : GROUPS.filter(([group]) => group === name);
  for (const [, load] of wanted.length > 0 ? wanted : GROUPS) (await load())(program, context);
  return run(argv);
}
