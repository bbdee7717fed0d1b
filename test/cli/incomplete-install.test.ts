/**
 * A CLI call after an install that is not complete (no `npm ci`) finds a
 * package missing: it must say so in one line and exit 1, not print Node's
 * stack trace. While `npm run build` runs, the CLI is never missing: it is one
 * bundled file, renamed into place.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

function runCopy(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(copy, 'dist/src/cli/main.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HFSCHED_DB: join(copy, 'state.db') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the bundled CLI with no node_modules (an install without npm ci) says in one line that the installation is incomplete', () => {
  rmSync(join(copy, 'node_modules'));
  mkdirSync(join(copy, 'dist/src/cli'), { recursive: true });
  cpSync(CLI_PATH, join(copy, 'dist/src/cli/main.js'));
  const result = runCopy(['status']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^hfsched: cannot load better-sqlite3: the installation is incomplete \(a build running\?/,
  );
  assert.equal(result.stderr.split('\n').length, 2, `one line, no stack trace: ${result.stderr}`);
});

// A build renames each file into place (scripts/build.mjs): the CLI is this one file, so no
// module of ours can be missing while dist/ is rebuilt.
test('the bundle alone is the whole CLI: beside node_modules and migrations/, nothing else of dist/ is needed', () => {
  mkdirSync(join(copy, 'dist/src/cli'), { recursive: true });
  cpSync(CLI_PATH, join(copy, 'dist/src/cli/main.js'));
  cpSync(join(ROOT, 'migrations'), join(copy, 'migrations'), { recursive: true });
  const result = runCopy(['init']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Created database /);
});
