#!/usr/bin/env node
/**
 * The `hfsched` command: prints the version itself for `hfsched --version`,
 * and has run.ts load and run any other command.
 *
 * The program is imported dynamically, so that a module that is missing (a
 * build replacing dist/ while this runs, an install without `npm ci`) ends
 * the command with one line saying so instead of Node's stack trace. What
 * main.ts imports statically is bundled into main.js itself
 * (scripts/build.mjs), and run.js is a bundle of its own: Node compiles a
 * whole file when it loads it, and compiling the program was most of
 * `--version`'s time.
 */
import { commandName, versionOnly } from './command-line.js';
import { enableCompileCache } from './compile-cache.js';
import { packageVersion } from './package-version.js';

/** Node's error for a module or package that cannot be found, with what it names. */
function missingModule(error: unknown): string | null {
  // ERR_MODULE_NOT_FOUND from an import; MODULE_NOT_FOUND from a require (the bundle requires native addons).
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  return /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? error.message;
}

try {
  // As commander would answer it, with the same version (package.json's).
  if (commandName(process.argv) === null && versionOnly(process.argv)) {
    process.stdout.write(`${packageVersion()}\n`);
  } else {
    // Before run.js is loaded, so that Node 22.1 and later read its compiled code back from the cache.
    enableCompileCache(process.env);
    process.exitCode = await (await import('./run.js')).runCommand(process.argv);
  }
} catch (error) {
  const missing = missingModule(error);
  if (missing === null) throw error;
  process.stderr.write(
    `hfsched: cannot load ${missing}: the installation is incomplete (a build running? run the command again when it is done, or run npm ci && npm run build)\n`,
  );
  process.exitCode = 1;
}
