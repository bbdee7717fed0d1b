import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { createTempDatabase } from '../support/temp-db.js';

describe('CLI usage errors and conventions', () => {
  test('an unknown command exits 2 with a one-line message and a suggestion', async () => {
    const result = await runCli(['modle', 'list']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "hfsched: unknown command 'modle' (Did you mean model?)\n");
  });

  test('an unknown option exits 2 naming the option', async () => {
    const result = await runCli(['model', 'list', '--colour']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "hfsched: unknown option '--colour'\n");
  });

  test('a missing argument exits 2 naming the argument', async () => {
    const result = await runCli(['model', 'add']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "hfsched: missing required argument 'repo_id'\n");
  });

  test('--help prints the commands on stdout and exits 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: hfsched /);
    for (const command of ['init', 'migrate', 'model', 'schedule', 'config', 'history']) {
      assert.match(result.stdout, new RegExp(`\\n  ${command}\\b`));
    }
  });

  test('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });

  test('a command on a missing database exits 1 and says to run hfsched init', async () => {
    const db = createTempDatabase();
    try {
      const result = await runCli(['model', 'list'], { dbPath: `${db.dir}/missing.db` });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^hfsched: no database at .*missing\.db; run "hfsched init"\n$/);
    } finally {
      db.cleanup();
    }
  });

  test('a refused operation prints no stack trace', async () => {
    const db = createTempDatabase();
    try {
      const result = await runCli(['model', 'show', 'org/absent'], { dbPath: db.dbPath });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.split('\n').filter((line) => line !== '').length, 1);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      db.cleanup();
    }
  });

  test('HFSCHED_DEBUG=1 adds the stack trace', async () => {
    const db = createTempDatabase();
    try {
      const result = await runCli(['model', 'show', 'org/absent'], { dbPath: db.dbPath, env: { HFSCHED_DEBUG: '1' } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /NotFoundError: no model "org\/absent"[^\n]*\n\s+at /);
    } finally {
      db.cleanup();
    }
  });

  test('a bad HFSCHED_LOG_LEVEL stops any command with exit 2', async () => {
    const db = createTempDatabase();
    try {
      const result = await runCli(['model', 'list'], { dbPath: db.dbPath, env: { HFSCHED_LOG_LEVEL: 'chatty' } });
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /^hfsched: environment variable HFSCHED_LOG_LEVEL="chatty" is not valid: expected one of fatal, error/,
      );
    } finally {
      db.cleanup();
    }
  });

  test('a bad HFSCHED_LOG_PRETTY stops any command with exit 2', async () => {
    const result = await runCli(['config', 'list'], { env: { HFSCHED_LOG_PRETTY: 'sometimes' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /HFSCHED_LOG_PRETTY="sometimes" is not valid/);
  });
});
