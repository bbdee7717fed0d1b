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
    db.store.config.set('download.concurrent_files', '2');
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
    db.store.config.set('download.max_retries', '7');
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
    assert.equal(result.stdout, 'download.bandwidth_limit = 20000000 (19.1 MiB/s)\n');
    assert.equal(db.store.config.get('download.bandwidth_limit'), '20000000');
  });

  test("sizes and rates take curl's and aria2c's units: 20M is 20 MiB, 512K/s is 512 KiB per second", async () => {
    assert.equal((await cli(['config', 'set', 'download.bandwidth_limit', '20M'])).code, 0);
    assert.equal(db.store.config.get('download.bandwidth_limit'), String(20 * 1024 * 1024));
    assert.equal((await cli(['config', 'set', 'download.bandwidth_limit', '512K/s'])).code, 0);
    assert.equal(db.store.config.get('download.bandwidth_limit'), String(512 * 1024));
    assert.equal((await cli(['config', 'set', 'cache.max_bytes', '2g'])).code, 0);
    assert.equal(db.store.config.get('cache.max_bytes'), String(2 * 1024 ** 3));
    const refused = await cli(['config', 'set', 'cache.max_bytes', '2g/s']);
    assert.equal(refused.code, 2, 'a size is no rate');
  });

  test('config list shows sizes and rates human-readable', async () => {
    db.store.config.set('download.bandwidth_limit', String(20 * 1024 * 1024));
    const result = await cli(['config', 'list']);
    assert.match(result.stdout, /\ndownload\.bandwidth_limit\s+20\.0 MiB\/s\s+database\s+yes\n/);
    assert.match(result.stdout, /\ndownload\.min_free_bytes\s+1\.0 GiB\s+default\s+yes\n/);
    assert.match(result.stdout, /\ncache\.max_bytes\s+0 \(no budget\)\s+default\s+yes\n/);
    const rows = parseJsonOutput<SettingDescription[]>(await cli(['config', 'list', '--json']));
    assert.equal(rows.find((row) => row.key === 'download.bandwidth_limit')?.value, String(20 * 1024 * 1024));
  });

  test('config unset returns a key to its default', async () => {
    await cli(['config', 'set', 'download.max_retries', '9']);
    const result = await cli(['config', 'unset', 'download.max_retries']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'download.max_retries = 5 (the default)\n');
    assert.equal((await cli(['config', 'get', 'download.max_retries'])).stdout, '5\n');
    const row = parseJsonOutput<SettingDescription>(await cli(['config', 'unset', 'log.level', '--json']));
    assert.deepEqual([row.key, row.value, row.source], ['log.level', 'info', 'default']);
  });

  test('config unset of an unknown key exits 2 and changes nothing', async () => {
    const result = await cli(['config', 'unset', 'download.max_retry']);
    assert.equal(result.code, 2);
    assert.equal(db.store.config.get('download.max_retry'), null);
  });

  test('an unknown key gets "did you mean"', async () => {
    const typo = await cli(['config', 'set', 'download.max_retry', '3']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^hfsched: unknown setting "download\.max_retry"; did you mean download\.max_retries\?/);
    const lastPart = await cli(['config', 'get', 'bandwidth_limit']);
    assert.match(lastPart.stderr, /did you mean download\.bandwidth_limit\?/);
  });

  test('config get hub.cache_dir prints the folder in use and where it came from', async () => {
    const fromHome = await cli(['config', 'get', 'hub.cache_dir'], { HF_HOME: '/srv/hf' });
    assert.equal(fromHome.code, 0, fromHome.stderr);
    assert.equal(fromHome.stdout, '/srv/hf/hub\n');
    assert.equal(fromHome.stderr, 'hfsched: note: from HF_HOME\n');
    await cli(['config', 'set', 'hub.cache_dir', '/data/hf-cache']);
    const fromSetting = await cli(['config', 'get', 'hub.cache_dir'], { HF_HOME: '/srv/hf' });
    assert.equal(fromSetting.stdout, '/data/hf-cache\n');
    assert.equal(fromSetting.stderr, 'hfsched: note: from hub.cache_dir setting\n');
    const view = parseJsonOutput<{ effective: { path: string; origin: string } }>(
      await cli(['config', 'get', 'hub.cache_dir', '--json'], { HF_HUB_CACHE: '/mnt/cache' }),
    );
    assert.deepEqual(view.effective, { path: '/mnt/cache', origin: 'HF_HUB_CACHE' });
  });

  test('config set refuses a bad value with the reason and changes nothing', async () => {
    const result = await cli(['config', 'set', 'scheduler.timezone', 'Atlantis/Capital']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^hfsched: scheduler\.timezone: "Atlantis\/Capital" is not valid; expected an IANA time zone/,
    );
    assert.equal(db.store.config.get('scheduler.timezone'), '');
  });

  test('config set refuses an unknown key and stores nothing', async () => {
    const result = await cli(['config', 'set', 'download.turbo', 'on']);
    assert.equal(result.code, 2);
    assert.equal(db.store.config.get('download.turbo'), null);
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
