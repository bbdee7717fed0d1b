import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestSchemaVersion, schemaVersionOf } from '../../src/store/index.js';
import { parseJsonOutput, runCli } from '../support/cli.js';

describe('hfsched init and migrate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hfsched-cli-init-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('init creates the database, its folder, and prints the path', async () => {
    const dbPath = join(dir, 'nested', 'state.db');
    const result = await runCli(['init'], { dbPath });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Created database ${dbPath} (schema version ${latestSchemaVersion()}).\n`);
    assert.ok(existsSync(dbPath));
  });

  test('init again keeps the settings already set', async () => {
    const dbPath = join(dir, 'again.db');
    await runCli(['init'], { dbPath });
    assert.equal((await runCli(['config', 'set', 'download.max_retries', '9'], { dbPath })).code, 0);
    const again = await runCli(['init'], { dbPath });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /is ready \(schema version \d+\)\.\n$/);
    assert.equal((await runCli(['config', 'get', 'download.max_retries'], { dbPath })).stdout, '9\n');
  });

  test('init uses HFSCHED_DB when --db is not given', async () => {
    const dbPath = join(dir, 'from-env.db');
    const result = await runCli(['init', '--json'], { env: { HFSCHED_DB: dbPath } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parseJsonOutput(result), { path: dbPath, schemaVersion: latestSchemaVersion(), created: true });
  });

  test('without --db or HFSCHED_DB the database goes under XDG_STATE_HOME', async () => {
    const stateHome = join(dir, 'xdg-state');
    const result = await runCli(['init'], { env: { XDG_STATE_HOME: stateHome } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(stateHome, 'hfsched', 'hfsched.db')));
  });

  test('without XDG_STATE_HOME the database goes under ~/.local/state', async () => {
    const home = join(dir, 'home');
    const result = await runCli(['init'], { env: { HOME: home } });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(home, '.local', 'state', 'hfsched', 'hfsched.db')));
  });

  test('migrate --to goes down and prints from and to', async () => {
    const dbPath = join(dir, 'down.db');
    await runCli(['init'], { dbPath });
    const latest = latestSchemaVersion();
    const result = await runCli(['migrate', '--to', '1'], { dbPath });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Migrated ${dbPath} from schema version ${latest} to 1.\n`);
    assert.equal(schemaVersionOf(dbPath), 1);
  });

  test('an old database is refused until migrated, then works', async () => {
    const dbPath = join(dir, 'old.db');
    await runCli(['init'], { dbPath });
    await runCli(['migrate', '--to', '1'], { dbPath });
    const refused = await runCli(['model', 'list'], { dbPath });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /run "hfsched migrate"/);
    const migrated = await runCli(['migrate', '--json'], { dbPath });
    assert.deepEqual(parseJsonOutput(migrated), { path: dbPath, from: 1, to: latestSchemaVersion() });
    assert.equal((await runCli(['model', 'list'], { dbPath })).code, 0);
  });

  test('migrate on a database already at the target says so', async () => {
    const dbPath = join(dir, 'current.db');
    await runCli(['init'], { dbPath });
    const result = await runCli(['migrate'], { dbPath });
    assert.equal(result.stdout, `Database ${dbPath} is already at schema version ${latestSchemaVersion()}.\n`);
  });

  test('migrate to a version that does not exist exits 2', async () => {
    const dbPath = join(dir, 'future.db');
    await runCli(['init'], { dbPath });
    const result = await runCli(['migrate', '--to', '999'], { dbPath });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hfsched: schema version 999 does not exist; choose 0 to \d+\n$/);
  });

  test('migrate without a database exits 1 and says to run init', async () => {
    const result = await runCli(['migrate'], { dbPath: join(dir, 'nothing.db') });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /run "hfsched init"/);
  });
});
