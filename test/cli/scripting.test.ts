/**
 * What scripts rely on: `--json` on the mutating commands too, one shape per
 * object (a model is the same object from `model list`, `show`, `add`,
 * `pause`, `set`, `remove`), errors as a JSON document, `-q/--quiet`, and the
 * `ls`/`rm` aliases `hf` has.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model } from '../../src/store/types.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

interface JsonError {
  error: { message: string; exitCode: number; kind: string };
}

describe('scripting the CLI', () => {
  let db: TempDatabase;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { dbPath: db.dbPath, env: { HF_HUB_OFFLINE: '1', ...env } });
  beforeEach(() => {
    db = createTempDatabase();
  });
  afterEach(() => db.cleanup());

  test('a model is the same object from list, show, add, pause, resume, set and remove', async () => {
    const added = parseJsonOutput<Model>(await cli(['model', 'add', 'org/name', '--json']));
    const keys = Object.keys(added).sort();
    const listed = parseJsonOutput<Model[]>(await cli(['model', 'list', '--json']));
    assert.deepEqual(Object.keys(listed[0]!).sort(), keys);
    const shown = parseJsonOutput<{ model: Model }>(await cli(['model', 'show', 'org/name', '--json']));
    assert.deepEqual(Object.keys(shown.model).sort(), keys);

    const paused = parseJsonOutput<Model>(await cli(['model', 'pause', 'org/name', '--json']));
    assert.deepEqual(Object.keys(paused).sort(), keys);
    assert.equal(paused.status, 'paused');
    const resumed = parseJsonOutput<Model>(await cli(['model', 'resume', '1', '--json']));
    assert.equal(resumed.status, 'pending');
    const pinned = parseJsonOutput<Model>(await cli(['model', 'set', 'org/name', '--no-track', '--json']));
    assert.equal(pinned.tracking, false);
    assert.deepEqual(Object.keys(pinned).sort(), keys);
    const removed = parseJsonOutput<Model>(await cli(['model', 'remove', 'org/name', '--json']));
    assert.deepEqual([removed.id, removed.name], [1, 'org/name']);
    assert.deepEqual(db.store.models.list(), []);
  });

  test('model retry --json prints the model it made pending', async () => {
    const model = db.store.models.create({ name: 'org/broken' });
    db.store.models.updateStatus(model.id, 'downloading');
    db.store.models.updateStatus(model.id, 'failed');
    const retried = parseJsonOutput<Model>(await cli(['model', 'retry', 'org/broken', '--json']));
    assert.equal(retried.status, 'pending');
  });

  test('with --json, a refused command prints its error as JSON on stdout (and the line on stderr)', async () => {
    const refused = await cli(['run-now', '--json']);
    assert.equal(refused.code, 1);
    const body = parseJsonOutput<JsonError>(refused);
    assert.equal(body.error.exitCode, 1);
    assert.equal(body.error.kind, 'ConstraintError');
    assert.match(body.error.message, /^daemon not running/);
    assert.match(refused.stderr, /^hfsched: daemon not running/);

    const missing = parseJsonOutput<JsonError>(await cli(['model', 'show', 'org/none', '--json']));
    assert.deepEqual([missing.error.exitCode, missing.error.kind], [1, 'NotFoundError']);
  });

  test('with --json, a usage error is a JSON document with exit status 2', async () => {
    const result = await cli(['config', 'set', 'download.max_retries', 'many', '--json']);
    assert.equal(result.code, 2);
    assert.deepEqual(parseJsonOutput<JsonError>(result).error.exitCode, 2);
    const commander = await cli(['model', 'list', '--status', 'lost', '--json']);
    assert.equal(commander.code, 2);
    const body = parseJsonOutput<JsonError>(commander);
    assert.equal(body.error.kind, 'UsageError');
    assert.match(body.error.message, /--status <status>' argument 'lost' is invalid/);
  });

  test('-q/--quiet prints no confirmation and no note; results still print', async () => {
    const added = await cli(['-q', 'model', 'add', 'org/name']);
    assert.deepEqual([added.code, added.stdout, added.stderr], [0, '', '']);
    const paused = await cli(['model', 'pause', 'org/name', '--quiet']);
    assert.deepEqual([paused.code, paused.stdout], [0, '']);
    const set = await cli(['config', 'set', 'hub.endpoint', 'https://hf-mirror.com', '-q'], {
      HF_ENDPOINT: 'http://127.0.0.1:9',
    });
    assert.deepEqual([set.code, set.stdout, set.stderr], [0, '', ''], 'no confirmation, no override note');
    const schedule = await cli(['schedule', 'add', 'nightly', '--daily', '01:00', '-q']);
    assert.deepEqual([schedule.code, schedule.stdout], [0, '']);
    const listed = await cli(['model', 'list', '-q', '--json']);
    assert.equal(parseJsonOutput<Model[]>(listed).length, 1);
    const refused = await cli(['-q', 'model', 'show', 'org/none']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^hfsched: no model "org\/none"/, 'errors still print');
  });

  test('ls and rm are aliases, as in hf', async () => {
    db.store.models.create({ name: 'org/name' });
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00' });
    assert.match((await cli(['model', 'ls'])).stdout, /org\/name/);
    assert.match((await cli(['schedule', 'ls'])).stdout, /nightly/);
    assert.equal((await cli(['cache', 'ls', '--json'])).code, 0);
    assert.equal((await cli(['model', 'rm', 'org/name'])).code, 0);
    assert.equal((await cli(['schedule', 'rm', 'nightly'])).code, 0);
    assert.deepEqual([db.store.models.list(), db.store.schedules.list()], [[], []]);
  });
});
