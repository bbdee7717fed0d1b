/**
 * How a failure becomes an exit status and a one-line message.
 *   0  success
 *   2  bad usage: commander's own errors (unknown option, missing argument,
 *      invalid option value) and ValidationError (bad input, bad environment)
 *   1  refused: everything else (IntegrityError, NotFoundError,
 *      ConstraintError, StateTransitionError, ConnectionError,
 *      OperationalError, unexpected errors)
 */
import { CommanderError } from 'commander';
import { HfschedError, ValidationError } from '../errors.js';
import { hideUrlCredentials } from '../system/url-credentials.js';

export const EXIT_SUCCESS = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** Commander "errors" that are really a successful display (help, version). */
const COMMANDER_SUCCESS_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (COMMANDER_SUCCESS_CODES.has(error.code) || error.exitCode === 0) return EXIT_SUCCESS;
    return EXIT_USAGE;
  }
  if (error instanceof ValidationError) return EXIT_USAGE;
  return EXIT_REFUSED;
}

/** Several lines (commander adds "(Did you mean ...?)") joined into one. */
export function oneLine(text: string): string {
  return text
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

export function messageFor(error: unknown): string {
  // Whatever failed, a URL's password is never printed (a library's message may quote one).
  if (!(error instanceof Error)) return hideUrlCredentials(oneLine(String(error)));
  const message = hideUrlCredentials(oneLine(error.message || error.name));
  // Our own errors say what failed; for anything unexpected the class name
  // (TypeError, SqliteError, ...) helps a bug report.
  if (error instanceof HfschedError || error instanceof CommanderError || error.name === 'Error') return message;
  return `${error.name}: ${message}`;
}
