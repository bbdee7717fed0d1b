/**
 * `hfsched completion <shell>`: the bash script is loaded into a real bash,
 * and its completion function is called the way bash calls it (COMP_WORDS,
 * COMP_CWORD) to see what a user pressing Tab gets. zsh and fish scripts are
 * syntax-checked by those shells when they are installed (skipped otherwise).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

function installed(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

describe('hfsched completion', () => {
  let dir: string;
  let bashScript: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hfsched-completion-'));
    const result = await runCli(['completion', 'bash']);
    assert.equal(result.code, 0, result.stderr);
    bashScript = join(dir, 'hfsched.bash');
    writeFileSync(bashScript, result.stdout);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** What bash offers for the command line `words` (the last one being completed). */
  function complete(...words: string[]): string[] {
    const array = ['hfsched', ...words].map((word) => `'${word}'`).join(' ');
    const output = execFileSync(
      'bash',
      [
        '-c',
        `source "$1"; complete -p hfsched >/dev/null || exit 3; COMP_WORDS=(${array}); COMP_CWORD=${words.length}; _hfsched; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        bashScript,
      ],
      { encoding: 'utf8' },
    );
    return output.split('\n').filter((line) => line !== '');
  }

  test('bash registers the completion and completes the top-level commands', () => {
    assert.deepEqual(complete('mo'), ['model']);
    const all = complete('');
    for (const name of ['init', 'model', 'schedule', 'config', 'pull', 'status', 'completion', '--db', '--quiet']) {
      assert.ok(all.includes(name), `${name} in ${all.join(' ')}`);
    }
  });

  test('bash completes subcommands with their aliases, and the options of the command typed', () => {
    const model = complete('model', '');
    for (const name of ['add', 'list', 'ls', 'remove', 'rm', 'pause', 'set']) assert.ok(model.includes(name), name);
    assert.deepEqual(complete('model', 'add', '--no-'), ['--no-track', '--no-check']);
    assert.deepEqual(complete('-q', 'schedule', 'set', 'nightly', '--max'), ['--max-concurrent']);
    assert.deepEqual(complete('config', 'u'), ['unset']);
  });

  test("bash completes an option's choices, and nothing for a free value", () => {
    assert.deepEqual(complete('model', 'add', '--repo-type', ''), ['model', 'dataset']);
    assert.deepEqual(complete('model', 'list', '--status', 'p'), ['pending', 'paused']);
    assert.deepEqual(complete('completion', ''), ['bash', 'zsh', 'fish', '--db', '--quiet', '-q', '--help', '-h']);
    assert.deepEqual(complete('schedule', 'add', '--daily', ''), []);
  });

  test('an unknown shell is a usage error', async () => {
    const result = await runCli(['completion', 'tcsh']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish/);
  });

  test('the zsh script passes zsh -n', { skip: installed('zsh') ? false : 'zsh is not installed' }, async () => {
    const result = await runCli(['completion', 'zsh']);
    const file = join(dir, '_hfsched');
    writeFileSync(file, result.stdout);
    assert.equal(spawnSync('zsh', ['-n', file]).status, 0);
  });

  test(
    'the fish script passes fish --no-execute',
    { skip: installed('fish') ? false : 'fish is not installed' },
    async () => {
      const result = await runCli(['completion', 'fish']);
      const file = join(dir, 'hfsched.fish');
      writeFileSync(file, result.stdout);
      assert.equal(spawnSync('fish', ['--no-execute', file]).status, 0);
    },
  );
});
