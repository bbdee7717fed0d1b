#!/usr/bin/env node
/**
 * The `hfsched` command: run.ts loads and runs the command named.
 *
 * Every module is imported dynamically, so that a module that is missing (a
 * build replacing dist/ while this runs, an install without `npm ci`) ends
 * the command with one line saying so instead of Node's stack trace.
 */

/** Node's error for a module or package that cannot be found, with what it names. */
function missingModule(error: unknown): string | null {
  // ERR_MODULE_NOT_FOUND from an import; MODULE_NOT_FOUND from a require (the bundle requires native addons).
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  return /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? error.message;
}

try {
  process.exitCode = await (await import('./run.js')).runCommand(process.argv);
} catch (error) {
  const missing = missingModule(error);
  if (missing === null) throw error;
  process.stderr.write(
    `hfsched: cannot load ${missing}: the installation is incomplete (a build running? run the command again when it is done, or run npm ci && npm run build)\n`,
  );
  process.exitCode = 1;
}
