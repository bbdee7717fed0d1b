/**
 * A CLI call while `npm run build` replaces dist/ (or after an install that
 * never built) finds some of hfsched's own modules missing: it must say so in
 * one line and exit 1, not print Node's stack trace.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from '../support/cli.js';

/** The repository root (dist/test/cli -> ../../..): package.json and node_modules. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** dist/src of the real build. */
const BUILT_SRC = dirname(dirname(CLI_PATH));

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

test('with only its entry file built, the CLI says in one line that the installation is incomplete', () => {
  mkdirSync(join(copy, 'dist/src/cli'), { recursive: true });
  cpSync(CLI_PATH, join(copy, 'dist/src/cli/main.js'));
  const result = runCopy(['status']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^hfsched: cannot load \S+\/dist\/src\/cli\/program\.js: the installation is incomplete \(a build running\?/,
  );
  assert.equal(result.stderr.split('\n').length, 2, `one line, no stack trace: ${result.stderr}`);
});

test('a command whose own module is missing says which, in one line', () => {
  cpSync(BUILT_SRC, join(copy, 'dist/src'), { recursive: true });
  rmSync(join(copy, 'dist/src/cli/schedules.js'));
  const result = runCopy(['schedule', 'list']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^hfsched: cannot load \S+\/dist\/src\/cli\/schedules\.js: the installation is incomplete/,
  );
  assert.equal(result.stderr.split('\n').length, 2, `one line, no stack trace: ${result.stderr}`);
});
