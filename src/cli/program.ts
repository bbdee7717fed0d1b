/**
 * The `hfsched` program: global options, output and error conventions.
 * Command groups are added by run.ts: each group's module exports a
 * register function (`registerPullCommand(program, context)`, say), and
 * run.ts loads and calls only the one the command line names.
 */
import { Command, CommanderError } from 'commander';
import type { Writable } from 'node:stream';
import { createContext, type CliContext } from './context.js';
import { exitCodeFor, messageFor, oneLine } from './exit-codes.js';
import { Output } from './output.js';
import { packageVersion } from './package-version.js';

export interface ProgramOptions {
  env?: NodeJS.ProcessEnv;
  stdout?: Writable;
  stderr?: Writable;
}

const DB_HELP =
  'SQLite database file (default: $HFSCHED_DB, else $XDG_STATE_HOME/hfsched/hfsched.db, else ~/.local/state/hfsched/hfsched.db)';

/**
 * One-line errors, exit codes handled by runProgram, output to the given
 * streams. Applied to every command before parsing, so a group added with
 * `addCommand` (which does not inherit settings) follows the same rules.
 */
function applyConventions(command: Command, stdout: Writable, stderr: Writable): void {
  command.exitOverride();
  command.showSuggestionAfterError(true);
  command.configureOutput({
    writeOut: (text) => stdout.write(text),
    writeErr: (text) => stderr.write(text),
    outputError: (text, write) => write(`hfsched: ${oneLine(text)}\n`),
  });
  for (const sub of command.commands) applyConventions(sub, stdout, stderr);
}

export interface CliProgram {
  program: Command;
  context: CliContext;
  /** Parses `argv` (process.argv form), runs the command, returns the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/**
 * `hfsched model list | head -1` closes the pipe before the table is written;
 * that ends the command quietly instead of crashing with EPIPE.
 */
function exitQuietlyOnClosedPipe(stream: Writable): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export function createProgram(options: ProgramOptions = {}): CliProgram {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  exitQuietlyOnClosedPipe(stdout);
  const program = new Command('hfsched');
  const context = createContext(program, options.env ?? process.env, new Output(stdout, stderr));
  program
    .description('Download Hugging Face Hub models on a schedule into the standard Hugging Face cache.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('--db <path>', DB_HELP)
    .option('-q, --quiet', 'print no confirmations, notes or progress (results and errors still print)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    // A bad HFSCHED_* variable stops every command before it does anything.
    .hook('preAction', () => {
      context.output.quiet = program.opts<{ quiet?: boolean }>().quiet === true;
      context.bootstrap();
    });
  return {
    program,
    context,
    run: (argv) => {
      applyConventions(program, stdout, stderr);
      return runProgram(program, context, stdout, stderr, argv);
    },
  };
}

/** Whether the command line asks for JSON (`--json` before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * The error of a `--json` command, as one document on stdout, so a script
 * reads every outcome from one place: `{"error": {"message", "exitCode", "kind"}}`.
 * The one-line message is on stderr as always.
 */
function jsonError(error: unknown, exitCode: number): unknown {
  const kind =
    error instanceof CommanderError ? 'UsageError' : error instanceof Error ? error.constructor.name : 'Error';
  const message = error instanceof CommanderError ? oneLine(error.message) : messageFor(error);
  return { error: { message, exitCode, kind } };
}

async function runProgram(
  program: Command,
  context: CliContext,
  stdout: Writable,
  stderr: Writable,
  argv: readonly string[],
): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    const exitCode = exitCodeFor(error);
    // commander already printed its own message (through outputError).
    if (!(error instanceof CommanderError)) context.output.error(messageFor(error));
    // A command that printed its result and then fails (verify finding damage) has said it all in that document.
    if (exitCode !== 0 && wantsJson(argv) && !context.output.wroteJson)
      stdout.write(JSON.stringify(jsonError(error, exitCode), null, 2) + '\n');
    if (context.env.HFSCHED_DEBUG === '1' && error instanceof Error && error.stack) {
      stderr.write(`${error.stack}\n`);
    }
    return exitCode;
  }
}

/** A registered command by its name, e.g. `findCommand(program, 'model')`. */
export function findCommand(parent: Command, name: string): Command {
  const found = parent.commands.find((command) => command.name() === name);
  if (found === undefined) throw new Error(`hfsched has no "${name}" command registered`);
  return found;
}
