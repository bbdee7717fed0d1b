/**
 * A CLI call after an install that is not complete (no `npm ci`) finds a
 * package missing: it must say so in one line and exit 1, not print Node's
 * stack trace. While `npm run build` runs, the CLI is never missing: it is two
 * bundled files (the entry main.js and the program run.js), each renamed into
 * place, the entry last.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from '../support/cli.js';

/** The repository root (dist/test/cli -> ../../..): package.json and node_modules. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let copy: string;
beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'hfsched-incomplete-'));
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

/** Copies the built CLI's bundles (`files` of dist/src/cli) into the copy. */
function copyBundles(...files: string[]): void {
  mkdirSync(join(copy, 'dist/src/cli'), { recursive: true });
  for (const file of files) cpSync(join(dirname(CLI_PATH), file), join(copy, 'dist/src/cli', file));
}

function runCopy(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(copy, 'dist/src/cli/main.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HFSCHED_DB: join(copy, 'state.db') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the bundled CLI with no node_modules (an install without npm ci) says in one line that the installation is incomplete', () => {
  rmSync(join(copy, 'node_modules'));
  copyBundles('main.js', 'run.js');
  const result = runCopy(['status']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^hfsched: cannot load better-sqlite3: the installation is incomplete \(a build running\?/,
  );
  assert.equal(result.stderr.split('\n').length, 2, `one line, no stack trace: ${result.stderr}`);
});

// A build renames each file into place (scripts/build.mjs): the CLI is these two files, so no
// module of ours can be missing while dist/ is rebuilt.
test('the two bundles are the whole CLI: beside node_modules and migrations/, nothing else of dist/ is needed', () => {
  copyBundles('main.js', 'run.js');
  cpSync(join(ROOT, 'migrations'), join(copy, 'migrations'), { recursive: true });
  const result = runCopy(['init']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Created database /);
});

// main.js answers --version by itself: the program (run.js), commander and the database driver are
// not loaded, which is what makes `hfsched --version` start fast.
test('--version needs neither the program bundle nor node_modules', () => {
  rmSync(join(copy, 'node_modules'));
  copyBundles('main.js');
  const result = runCopy(['--version']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
  );
  assert.equal(result.stderr, '');
});
