#!/usr/bin/env node
/**
 * The `hfsched` command. Each command group lives in its own file and is
 * listed here with its top-level name. Only the group named on the command
 * line is loaded (each costs start-up time: its modules and their
 * dependencies); help, a version query or an unknown name loads them all.
 *
 * Every module is imported dynamically, so that a module that is missing (a
 * build replacing dist/ while this runs, an install without `npm ci`) ends
 * the command with one line saying so instead of Node's stack trace.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type * as ProgramModule from './program.js';

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

/** The first word of `argv` that is not an option (nor the value of `--db`): the command group's name. */
function commandName(argv: readonly string[]): string | null {
  for (let index = 2; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--db') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

/** Node's error for a module or package that cannot be found, with what it names. */
function missingModule(error: unknown): string | null {
  // ERR_MODULE_NOT_FOUND from an import; MODULE_NOT_FOUND from a require (the bundle requires native addons).
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  return /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? error.message;
}

/** `hfsched --version` (no command named) needs no group: it answers before any would run. */
function versionOnly(argv: readonly string[]): boolean {
  const options = argv.slice(2);
  return (
    options.some((arg) => arg === '-V' || arg === '--version') &&
    !options.some((arg) => arg === '-h' || arg === '--help')
  );
}

/** Loads the program and the command group named on the command line, runs it, and returns its exit code. */
async function runCommand(): Promise<number> {
  const programModule = await import('./program.js');
  findCommand = programModule.findCommand;
  const { program, context, run } = programModule.createProgram();
  const name = commandName(process.argv);
  // A completion script describes every command: it needs them all loaded.
  const wanted = name === 'completion' ? [] : GROUPS.filter(([group]) => group === name);
  const groups = wanted.length > 0 ? wanted : name === null && versionOnly(process.argv) ? [] : GROUPS;
  for (const [, load] of groups) (await load())(program, context);
  return run(process.argv);
}

try {
  process.exitCode = await runCommand();
} catch (error) {
  const missing = missingModule(error);
  if (missing === null) throw error;
  process.stderr.write(
    `hfsched: cannot load ${missing}: the installation is incomplete (a build running? run the command again when it is done, or run npm ci && npm run build)\n`,
  );
  process.exitCode = 1;
}
