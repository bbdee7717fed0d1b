import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const MODEL_SET = `models:
  - repo: org/tiny
    include: "*.safetensors"
schedule:
  name: nightly
  daily: "01:30"
settings:
  download.max_retries: 3
`;

function everyRow(db: TempDatabase): unknown {
  const tables = ['models', 'schedule_configurations', 'download_sessions', 'system_configurations'];
  return Object.fromEntries(tables.map((table) => [table, db.store.db.prepare(`SELECT * FROM ${table}`).all()]));
}

describe('hfsched apply', () => {
  let db: TempDatabase;
  let file: string;
  beforeEach(() => {
    db = createTempDatabase();
    file = join(db.dir, 'hfsched.yaml');
    writeFileSync(file, MODEL_SET);
  });
  afterEach(() => db.cleanup());

  test('apply creates the database when there is none, and a second run changes nothing', async () => {
    const dbPath = join(db.dir, 'new', 'hfsched.db');
    const first = await runCli(['apply', '-f', file], { dbPath });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout,
      [
        '+ model org/tiny (revision main; include *.safetensors)',
        '+ schedule "nightly" (daily at 01:30, 1 at a time), enabled',
        '~ setting download.max_retries: "5" -> "3"',
        'Applied 3 changes.',
        '',
      ].join('\n'),
    );
    const second = await runCli(['apply', '-f', file], { dbPath });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `Nothing to change: the database already matches ${file}.\n`);
  });

  test('--dry-run prints the plan a real run carries out and writes nothing', async () => {
    const before = everyRow(db);
    const dry = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: db.dbPath });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: 3 changes planned, nothing written\.\n$/);
    assert.deepEqual(everyRow(db), before);
    const missing = join(db.dir, 'absent.db');
    const dryWithoutDatabase = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: missing });
    assert.equal(dryWithoutDatabase.stdout, dry.stdout);
    assert.equal(existsSync(missing), false);
    const real = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(real.stdout.replace('Applied 3 changes.\n', ''), dry.stdout.replace(/Dry run: .*\n/, ''));
  });

  test('a bad file exits 2 naming the line, and applies nothing of it', async () => {
    writeFileSync(file, MODEL_SET.replace('daily: "01:30"', 'daily: "1:3"'));
    const before = everyRow(db);
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `hfsched: ${file}:6:10: schedule: time "1:3" is not valid; expected HH:MM from 00:00 to 23:59 (e.g. 01:30)\n`,
    );
    assert.deepEqual(everyRow(db), before);
  });

  test('--prune warns on stderr about a downloading model it keeps', async () => {
    const busy = db.store.createModel('org/busy');
    db.store.beginDownload(busy.id, null);
    db.store.createModel('org/idle');
    const result = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^- model org\/idle /m);
    assert.match(result.stderr, /^hfsched: warning: model org\/busy is downloading: it is not removed/);
    assert.deepEqual(
      db.store.listModels().map((model) => model.name),
      ['org/busy', 'org/tiny'],
    );
  });
});
