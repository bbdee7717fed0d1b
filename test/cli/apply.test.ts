import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
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

/** These tests are about the plan: offline, apply asks the Hub nothing (its check is tested with the test Hub below). */
const OFFLINE = { HF_HUB_OFFLINE: '1' };

function everyRow(db: TempDatabase): unknown {
  const tables = ['models', 'schedule_configurations', 'download_sessions', 'system_configurations'];
  return Object.fromEntries(tables.map((table) => [table, db.sql().prepare(`SELECT * FROM ${table}`).all()]));
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
    const first = await runCli(['apply', '-f', file], { dbPath, env: OFFLINE });
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
    const second = await runCli(['apply', '-f', file], { dbPath, env: OFFLINE });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `Nothing to change: the database already matches ${file}.\n`);
  });

  test('--dry-run prints the plan a real run carries out and writes nothing', async () => {
    const before = everyRow(db);
    const dry = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: 3 changes planned, nothing written\.\n$/);
    assert.deepEqual(everyRow(db), before);
    const missing = join(db.dir, 'absent.db');
    const dryWithoutDatabase = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: missing, env: OFFLINE });
    assert.equal(dryWithoutDatabase.stdout, dry.stdout);
    assert.equal(existsSync(missing), false);
    const real = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(real.stdout.replace('Applied 3 changes.\n', ''), dry.stdout.replace(/Dry run: .*\n/, ''));
  });

  test('a bad file exits 2 naming the line, and applies nothing of it', async () => {
    writeFileSync(file, MODEL_SET.replace('daily: "01:30"', 'daily: "1:3"'));
    const before = everyRow(db);
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `hfsched: ${file}:6:10: schedule: time "1:3" is not valid; expected HH:MM from 00:00 to 23:59 (e.g. 01:30)\n`,
    );
    assert.deepEqual(everyRow(db), before);
  });

  test('--prune warns on stderr about a downloading model it keeps', async () => {
    const busy = db.store.models.create({ name: 'org/busy' });
    db.store.downloads.begin({ modelId: busy.id, scheduleId: null });
    db.store.models.create({ name: 'org/idle' });
    const result = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^- model org\/idle /m);
    assert.match(result.stderr, /^hfsched: warning: model org\/busy is downloading: it is not removed/);
    assert.deepEqual(
      db.store.models.list().map((model) => model.name),
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
    db.store.models.create({ name: 'org/one' });
    db.store.models.create({ name: 'org/two' });
  });
  afterEach(() => db.cleanup());

  const modelNames = () => db.store.models.list().map((model) => model.name);

  for (const [what, text] of [
    ['an empty file', ''],
    ['"models:" without a list', 'models:\n'],
    ['a settings-only file', 'settings:\n  log.level: info\n'],
  ] as const) {
    test(`${what} removes nothing: refused with exit 1`, async () => {
      writeFileSync(file, text);
      for (const extra of [[], ['--dry-run']]) {
        const result = await runCli(['apply', '-f', file, '--prune', ...extra], { dbPath: db.dbPath, env: OFFLINE });
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
    const result = await runCli(['apply', '-f', '-', '--prune'], { dbPath, env: OFFLINE });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^hfsched: <stdin> has no models list, and --prune would remove every model/);
    assert.equal(existsSync(dbPath), false);
    const here = await runCli(['apply', '-f', '-', '--prune'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(here.code, 1);
    assert.deepEqual(modelNames(), ['org/one', 'org/two']);
  });

  test('"models: []" says how many models it removes, before it does', async () => {
    writeFileSync(file, 'models: []\n');
    const dry = await runCli(['apply', '-f', file, '--prune', '--dry-run'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout.split('\n')[0],
      `--prune: removes 2 of the 2 models in the database (those ${file} does not list)`,
    );
    assert.deepEqual(modelNames(), ['org/one', 'org/two']);
    const real = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout.replace('Applied 2 changes.\n', ''), dry.stdout.replace(/Dry run: .*\n/, ''));
    assert.deepEqual(modelNames(), []);
  });

  test('--allow-empty lets a file without a models list prune every model', async () => {
    writeFileSync(file, 'settings:\n  log.level: info\n');
    const result = await runCli(['apply', '-f', file, '--prune', '--allow-empty'], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^--prune: removes 2 of the 2 models/);
    assert.deepEqual(modelNames(), []);
  });

  test('a prune that keeps some models counts only those it removes', async () => {
    writeFileSync(file, 'models:\n  - repo: org/two\n');
    const result = await runCli(['apply', '-f', file, '--prune'], { dbPath: db.dbPath, env: OFFLINE });
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
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 0, result.stderr);
    const [model] = db.store.models.list();
    assert.equal(model?.revision, '1.10');
    assert.deepEqual(model?.includePatterns, ['1e3']);
  });

  test('a bad schedule name fails the dry run as it fails the real run, with its line', async () => {
    writeFileSync(file, `schedule:\n  name: "${'n'.repeat(201)}"\n  daily: "01:30"\n`);
    const dry = await runCli(['apply', '-f', file, '--dry-run'], { dbPath: db.dbPath, env: OFFLINE });
    const real = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, new RegExp(`^hfsched: ${file}:2:9: schedule: invalid schedule name`));
    assert.deepEqual([real.code, real.stderr], [dry.code, dry.stderr]);
    assert.deepEqual(db.store.schedules.list(), []);
  });

  test('a file over 1 MiB is refused with exit 2', async () => {
    writeFileSync(file, `models: []\n# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the file is larger than 1 MiB/);
  });

  test('a revision that can never be fetched is refused with its line', async () => {
    writeFileSync(file, 'models:\n  - repo: org/a\n    revision: ./.\n');
    const result = await runCli(['apply', '-f', file], { dbPath: db.dbPath, env: OFFLINE });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`^hfsched: ${file}:3:15: invalid revision "\\./\\.": `));
    assert.deepEqual(db.store.models.list(), []);
  });
});

describe('hfsched apply checks what model add and schedule add check', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let file: string;
  const apply = (args: string[], env: Record<string, string> = {}) =>
    runCli(['apply', '-f', file, ...args], { dbPath: db.dbPath, env: { HF_ENDPOINT: hub.url, ...env } });
  const apiCalls = () => hub.requests.filter((request) => request.host === 'hub' && request.path.startsWith('/api/'));

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [{ id: 'org/model', revisions: { main: [{ path: 'config.json', content: '{}' }], 'v1.0': [] } }],
    });
    db = createTempDatabase();
    file = join(db.dir, 'hfsched.yaml');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('a repository the Hub does not have is refused with its line, in the dry run as in the real run, and nothing is written', async () => {
    writeFileSync(file, 'models:\n  - repo: org/model\n  - repo: org/modle\nsettings:\n  download.max_retries: 3\n');
    const before = everyRow(db);
    for (const args of [['--dry-run'], []]) {
      const result = await apply(args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^hfsched: ${file}:3: .*org/modle.*not found.*nothing was changed.*\\n$`, 'i'),
      );
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(everyRow(db), before);
  });

  test('each model added, or moved to another revision, costs one API call; an unchanged one none', async () => {
    writeFileSync(file, 'models:\n  - repo: org/model\n');
    assert.equal((await apply([])).code, 0);
    assert.deepEqual(
      apiCalls().map((request) => request.path),
      ['/api/models/org/model/revision/main'],
    );
    assert.equal((await apply([])).code, 0);
    assert.equal(apiCalls().length, 1, 'nothing to check when nothing changes');
    writeFileSync(file, 'models:\n  - repo: org/model\n    revision: v9.9\n');
    const moved = await apply([]);
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, new RegExp(`^hfsched: ${file}:2: .*v9\\.9`));
    assert.equal(db.store.models.byName('org/model')?.revision, null, 'the model keeps its revision');
    writeFileSync(file, 'models:\n  - repo: org/model\n    revision: v1.0\n');
    assert.equal((await apply([])).code, 0);
    assert.equal(db.store.models.byName('org/model')?.revision, 'v1.0');
    assert.deepEqual(
      apiCalls()
        .map((request) => request.path)
        .slice(1),
      ['/api/models/org/model/revision/v9.9', '/api/models/org/model/revision/v1.0'],
    );
  });

  test('--no-check and HF_HUB_OFFLINE=1 skip the check', async () => {
    writeFileSync(file, 'models:\n  - repo: org/modle\n');
    const dry = await apply(['--dry-run', '--no-check']);
    assert.equal(dry.code, 0, dry.stderr);
    const offline = await apply([], { HF_HUB_OFFLINE: '1' });
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual(apiCalls(), []);
    assert.deepEqual(
      db.store.models.list().map((model) => model.name),
      ['org/modle'],
    );
  });

  test('a schedule whose windows overlap is refused with its line (exit 2), in the time zone the file sets', async () => {
    // Every 6 hours with a 7 h window: each window is still open at the next run.
    writeFileSync(
      file,
      'models: []\nschedule:\n  name: often\n  cron: "0 */6 * * *"\n  for: 7h\nsettings:\n  scheduler.timezone: Asia/Tokyo\n',
    );
    const before = everyRow(db);
    for (const args of [['--dry-run'], []]) {
      const result = await apply(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^hfsched: ${file}:3: schedule: the window of the run at .+ is still open at the next run, .+ Asia/Tokyo; windows of one schedule must not overlap: shorten its for: or until:, or run less often\\n$`,
        ),
      );
    }
    assert.deepEqual(everyRow(db), before);
    // A window that ends before the next run is accepted.
    writeFileSync(file, 'models: []\nschedule:\n  name: often\n  cron: "0 */6 * * *"\n  for: 5h\n');
    assert.equal((await apply([])).code, 0);
  });
});
