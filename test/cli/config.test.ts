import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settingKeys, type SettingDescription } from '../../src/config/settings.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe('hfsched config', () => {
  let db: TempDatabase;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { dbPath: db.dbPath, env });
  beforeEach(() => {
    db = createTempDatabase();
  });
  afterEach(() => db.cleanup());

  test('config list shows every setting with its value, source and liveness', async () => {
    const result = await cli(['config', 'list']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^KEY\s+VALUE\s+SOURCE\s+LIVE$/);
    assert.equal(lines.length, settingKeys().length + 1, 'a header and one line per setting');
    assert.match(result.stdout, /\ndownload\.max_retries\s+5\s+default\s+yes\n/);
    assert.match(result.stdout, /\nhttp\.port\s+0\s+default\s+restart\n/);
  });

  test('config list --json reports the source of each value', async () => {
    db.store.setSystemConfig('download.concurrent_files', '2');
    const rows = parseJsonOutput<SettingDescription[]>(
      await cli(['config', 'list', '--json'], { HF_ENDPOINT: 'http://127.0.0.1:8999' }),
    );
    const byKey = new Map(rows.map((row) => [row.key, row]));
    assert.equal(byKey.get('hub.endpoint')?.source, 'environment');
    assert.equal(byKey.get('hub.endpoint')?.value, 'http://127.0.0.1:8999');
    assert.equal(byKey.get('download.concurrent_files')?.source, 'database');
    assert.equal(byKey.get('download.max_retries')?.source, 'default');
    assert.equal(byKey.get('http.host')?.live, false);
  });

  test('config get prints the effective value', async () => {
    db.store.setSystemConfig('download.max_retries', '7');
    const result = await cli(['config', 'get', 'download.max_retries']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '7\n');
  });

  test('config get prints an environment override', async () => {
    const result = await cli(['config', 'get', 'log.level'], { HFSCHED_LOG_LEVEL: 'debug' });
    assert.equal(result.stdout, 'debug\n');
  });

  test('config get of an unknown key exits 2 listing the known keys', async () => {
    const result = await cli(['config', 'get', 'download.turbo']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hfsched: unknown setting "download.turbo"; known settings: hub.endpoint, /);
  });

  test('config set stores a valid value in its canonical form', async () => {
    const result = await cli(['config', 'set', 'download.bandwidth_limit', '20MB']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'download.bandwidth_limit = 20000000\n');
    assert.equal(db.store.getSystemConfig('download.bandwidth_limit'), '20000000');
  });

  test('config set refuses a bad value with the reason and changes nothing', async () => {
    const result = await cli(['config', 'set', 'scheduler.timezone', 'Atlantis/Capital']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^hfsched: scheduler\.timezone: "Atlantis\/Capital" is not valid; expected an IANA time zone/,
    );
    assert.equal(db.store.getSystemConfig('scheduler.timezone'), '');
  });

  test('config set refuses an unknown key and stores nothing', async () => {
    const result = await cli(['config', 'set', 'download.turbo', 'on']);
    assert.equal(result.code, 2);
    assert.equal(db.store.getSystemConfig('download.turbo'), null);
  });

  test('config set warns when an environment variable overrides the key', async () => {
    const result = await cli(['config', 'set', 'hub.endpoint', 'https://hf-mirror.com'], {
      HF_ENDPOINT: 'http://127.0.0.1:8999',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'hfsched: note: HF_ENDPOINT is set in this environment and overrides hub.endpoint\n');
  });

  test('config set of the listener port says a restart is needed', async () => {
    const result = await cli(['config', 'set', 'http.port', '9464']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'hfsched: note: http.port takes effect when the daemon restarts\n');
  });
});
