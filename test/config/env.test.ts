import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDatabasePath, readBootstrapEnv } from '../../src/config/env.js';
import { ValidationError } from '../../src/errors.js';

describe('bootstrap environment', () => {
  test('HFSCHED_DB sets the database path', () => {
    const env = readBootstrapEnv({ HFSCHED_DB: '/srv/hfsched/state.db', HOME: '/home/ada' });
    assert.equal(env.databasePath, '/srv/hfsched/state.db');
  });

  test('without HFSCHED_DB the database lives under XDG_STATE_HOME', () => {
    const env = readBootstrapEnv({ XDG_STATE_HOME: '/var/state', HOME: '/home/ada' });
    assert.equal(env.databasePath, '/var/state/hfsched/hfsched.db');
  });

  test('without XDG_STATE_HOME the database lives under ~/.local/state', () => {
    assert.equal(defaultDatabasePath({ HOME: '/home/ada' }), '/home/ada/.local/state/hfsched/hfsched.db');
  });

  test('a relative XDG_STATE_HOME is ignored, as the XDG specification says', () => {
    assert.equal(
      defaultDatabasePath({ HOME: '/home/ada', XDG_STATE_HOME: 'state' }),
      '/home/ada/.local/state/hfsched/hfsched.db',
    );
  });

  test('an empty HFSCHED_DB counts as unset', () => {
    const env = readBootstrapEnv({ HFSCHED_DB: '', HOME: '/home/ada' });
    assert.equal(env.databasePath, '/home/ada/.local/state/hfsched/hfsched.db');
  });

  test('log level and pretty logs are off by default', () => {
    const env = readBootstrapEnv({ HOME: '/home/ada' });
    assert.equal(env.logLevel, null);
    assert.equal(env.logPretty, false);
  });

  test('HFSCHED_LOG_LEVEL accepts a pino level in any case', () => {
    assert.equal(readBootstrapEnv({ HFSCHED_LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
  });

  test('a bad HFSCHED_LOG_LEVEL is refused with the accepted levels', () => {
    assert.throws(
      () => readBootstrapEnv({ HFSCHED_LOG_LEVEL: 'loud' }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.message ===
          'environment variable HFSCHED_LOG_LEVEL="loud" is not valid: expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  test('HFSCHED_LOG_PRETTY accepts true/false and 1/0', () => {
    assert.equal(readBootstrapEnv({ HFSCHED_LOG_PRETTY: 'true' }).logPretty, true);
    assert.equal(readBootstrapEnv({ HFSCHED_LOG_PRETTY: '1' }).logPretty, true);
    assert.equal(readBootstrapEnv({ HFSCHED_LOG_PRETTY: 'false' }).logPretty, false);
    assert.equal(readBootstrapEnv({ HFSCHED_LOG_PRETTY: '0' }).logPretty, false);
  });

  test('a bad HFSCHED_LOG_PRETTY is refused naming the variable', () => {
    assert.throws(() => readBootstrapEnv({ HFSCHED_LOG_PRETTY: 'maybe' }), {
      name: 'ValidationError',
      message: 'environment variable HFSCHED_LOG_PRETTY="maybe" is not valid: expected true or false (also 1 or 0)',
    });
  });
});
