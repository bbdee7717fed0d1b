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

describe('hfsched apply --prune with a file that lists no models', () => {
  let db: TempDatabase;
  let file: string;
  beforeEach(() => {
    db = createTempDatabase();
    file = join(db.dir, 'hfsched.yaml');
    db.store.createModel('org/one');
    db.store.createModel('org/two');
  });
  afterEach(() => db.cleanup());

  const modelNames = () => db.store.listModels().map((model) => model.name);

  for (const [what, text] of [
    ['an empty file', ''],
    ['"models:" without a list', 'models:\n'],
    ['a settings-only file', 'settings:\n  log.level: info\n'],
  ] as const) {
    test(`${what} removes nothing: refused with exit 1`, async () => {
      writeFileSync(file, text);
      for (const extra of [[], ['--dry-run']]) {
        const result = await runCli(['apply', '-f', file, '--prune', ...extra], { dbPath: db.dbPath });
        assert.equal(result.code, 1, result.stdout);
        assert.equal(
          result.stderr,
          `hfsched: ${file} has no models list, and --prune would remove every model: nothing was changed; write "models: []" to mean no models, or add --allow-empty\n`,
        );
        assert.deepEqual(modelNames(), ['org/one', 'org/two']);
      }
    });
  }

  test('empty standard input removes nothing, and creates no database', async () => {
    const dbPath = join(db.dir, 'absent.db');
    const result = await runCli(['apply', '-f', '-', '--prune'], { dbPath });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^hfsched: <stdin> has no models list, and --prune would remove every model/);
    assert.equal(existsSync(dbPath), false);
    const here = await runCli(['apply', '-f', '-', '--prune'], { dbPath: db.dbPath });
    assert.equal(here.code, 1);
    assert.deepEqual(modelNames(), ['org/one', 'org/two']);
  });

  test('"models: []" says how many models it removes, before it does', async () => {
    writeFileSync(file, 'models: []\n');
    const dry = await runCli(['apply', '-f', file, '--prune', '--dry-run'], { dbPath: db.dbPath });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout.split('\n')[0],
      `--prune: removes 2 of the 2 models in the database (those ${file} does not list)`,
    );
    assert.deepEqual(modelNames(), ['org/one', 'org/two']);
    const real = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath });
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout.replace('Applied 2 changes.\n', ''), dry.stdout.replace(/Dry run: .*\n/, ''));
    assert.deepEqual(modelNames(), []);
  });

  test('--allow-empty lets a file without a models list prune every model', async () => {
    writeFileSync(file, 'settings:\n  log.level: info\n');
    const result = await runCli(['apply', '-f', file, '--prune', '--allow-empty'], { dbPath: db.dbPath });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^--prune: removes 2 of the 2 models/);
    assert.deepEqual(modelNames(), []);
  });

  test('a prune that keeps some models counts only those it removes', async () => {
    writeFileSync(file, 'models:\n  - repo: org/two\n');
    const result = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `--prune: removes 1 of the 2 models in the database (those ${file} does not list)\n- model org/one (its download history goes; its files stay in the cache)\nApplied 1 change.\n`,
    );
  });
});

describe('hfsched apply: what the file writes is what is stored', () => {
  let db: TempDatabase;
  let file: string;
  beforeEach(() => {
    db = createTempDatabase();
    file = join(db.dir, 'hfsched.yaml');
  });
  afterEach(() => db.cleanup());

  test('an unquoted revision 1.10 is stored as 1.10, not 1.1', async () => {
    writeFileSync(file, 'models:\n  - repo: org/a\n    revision: 1.10\n    include: 1e3\n');
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(result.code, 0, result.stderr);
    const [model] = db.store.listModels();
    assert.equal(model?.revision, '1.10');
    assert.deepEqual(model?.includePatterns, ['1e3']);
  });

  test('a bad schedule name fails the dry run as it fails the real run, with its line', async () => {
    writeFileSync(file, `schedule:\n  name: "${'n'.repeat(201)}"\n  daily: "01:30"\n`);
    const dry = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: db.dbPath });
    const real = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, new RegExp(`^hfsched: ${file}:2:9: schedule: invalid schedule name`));
    assert.deepEqual([real.code, real.stderr], [dry.code, dry.stderr]);
    assert.deepEqual(db.store.listSchedules(), []);
  });

  test('a file over 1 MiB is refused with exit 2', async () => {
    writeFileSync(file, `models: []\n# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the file is larger than 1 MiB/);
  });

  test('a revision that can never be fetched is refused with its line', async () => {
    writeFileSync(file, 'models:\n  - repo: org/a\n    revision: ./.\n');
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`^hfsched: ${file}:3:15: invalid revision "\\./\\.": `));
    assert.deepEqual(db.store.listModels(), []);
  });
});
