import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DownloadSession, Model } from '../../src/store/types.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe('hfsched model', () => {
  let db: TempDatabase;
  // Offline: these tests have no Hub to check an added repository against (test/cli/model-add-check.test.ts does).
  const cli = (...args: string[]) => runCli(args, { dbPath: db.dbPath, env: { HF_HUB_OFFLINE: '1' } });
  beforeEach(() => {
    db = createTempDatabase();
  });
  afterEach(() => db.cleanup());

  test('model add records a pending model with its revision and patterns', async () => {
    const result = await cli(
      'model',
      'add',
      'org/name',
      '--revision',
      'v1.0',
      '--include',
      '*.safetensors',
      '--include',
      '*.json',
      '--exclude',
      '*.bin',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Added model org\/name \(id \d+\); no schedule is enabled/);
    assert.match(result.stdout, /Include:\s+\*\.safetensors, \*\.json\n/);
    const model = db.store.models.byName('org/name');
    assert.equal(model?.status, 'pending');
    assert.equal(model?.revision, 'v1.0');
    assert.deepEqual(model?.includePatterns, ['*.safetensors', '*.json']);
    assert.deepEqual(model?.excludePatterns, ['*.bin']);
  });

  test('model add --json prints the created model', async () => {
    const model = parseJsonOutput<Model>(await cli('model', 'add', 'gpt2', '--json'));
    assert.equal(model.name, 'gpt2');
    assert.equal(model.status, 'pending');
    assert.equal(model.revision, null);
  });

  test('adding a model twice is refused with exit 1', async () => {
    await cli('model', 'add', 'org/name');
    const result = await cli('model', 'add', 'org/name');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'hfsched: model "org/name" already exists\n');
  });

  test('an invalid repo id is a usage error with exit 2', async () => {
    const result = await cli('model', 'add', 'org/na me/x');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hfsched: invalid model name "org\/na me\/x": /);
  });

  test('a revision that can never be fetched (/etc/passwd, ./.) is refused with exit 2 and nothing added', async () => {
    for (const revision of ['/etc/passwd', './.', 'refs/heads/x.lock']) {
      const result = await cli('model', 'add', 'org/name', '--revision', revision);
      assert.equal(result.code, 2, revision);
      assert.ok(result.stderr.startsWith(`hfsched: invalid revision ${JSON.stringify(revision)}: `), result.stderr);
      assert.match(result.stderr, /git ref/);
    }
    assert.equal(db.store.models.byName('org/name'), null);
    db.store.models.create({ name: 'org/name' });
    const pull = await cli('pull', 'org/name', '--revision', './.');
    assert.equal(pull.code, 2);
    assert.match(pull.stderr, /^hfsched: invalid revision "\.\/\.": git refs never end with "\."/);
  });

  test('model list shows a table of the models', async () => {
    db.store.models.create({ name: 'org/first' });
    db.store.models.create({ name: 'org/second', sizeBytes: 1288490188 });
    const result = await cli('model', 'list');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^ID\s+NAME\s+STATUS\s+SIZE\s+REVISION\s+COMMIT\s+CHECKED \(\S+\)\s+FILES\s+UPDATED \(\S+\)$/,
    );
    assert.match(
      lines[1] ?? '',
      /^1\s+org\/first\s+pending\s+-\s+main\s+-\s+-\s+all\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    assert.match(lines[2] ?? '', /^2\s+org\/second\s+pending\s+1\.2 GiB\s+main/);
  });

  test('model list --status shows only models with that status', async () => {
    const paused = db.store.models.create({ name: 'org/paused' });
    db.store.models.create({ name: 'org/pending' });
    db.store.models.updateStatus(paused.id, 'paused');
    const models = parseJsonOutput<Model[]>(await cli('model', 'list', '--status', 'paused', '--json'));
    assert.deepEqual(
      models.map((model) => model.name),
      ['org/paused'],
    );
  });

  test('model list --status with an unknown status exits 2 listing the statuses', async () => {
    const result = await cli('model', 'list', '--status', 'done');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Allowed choices are pending, downloading, completed, failed, paused/);
  });

  test('model list on an empty database says how to add one', async () => {
    const result = await cli('model', 'list');
    assert.equal(result.stdout, 'No models yet; add one with: hfsched model add <repo_id>\n');
    assert.deepEqual(parseJsonOutput(await cli('model', 'list', '--json')), []);
  });

  test('model show finds a model by repo id and lists its last sessions', async () => {
    const model = db.store.models.create({ name: 'org/name' });
    const session = db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    db.store.downloads.fail(session.id, 'connection reset by the Hub');
    const result = await cli('model', 'show', 'org/name');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ID:\s+1\nName:\s+org\/name\nStatus:\s+failed\n/);
    assert.match(result.stdout, /Last download sessions:\nSESSION\s+STATUS/);
    assert.match(result.stdout, /\n1\s+failed\s+.*manual\s+connection reset by the Hub\n/);
  });

  test('model show --json by numeric id prints the model and its sessions', async () => {
    const model = db.store.models.create({ name: 'org/name' });
    db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    const shown = parseJsonOutput<{ model: Model; sessions: DownloadSession[] }>(
      await cli('model', 'show', String(model.id), '--json'),
    );
    assert.equal(shown.model.name, 'org/name');
    assert.equal(shown.model.status, 'downloading');
    assert.equal(shown.sessions.length, 1);
    assert.equal(shown.sessions[0]?.status, 'started');
  });

  test('model show of an unknown model exits 1 and points to model list', async () => {
    const result = await cli('model', 'show', 'org/absent');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'hfsched: no model "org/absent"; see the known models with: hfsched model list\n');
  });

  test('model remove deletes the model and its history', async () => {
    const model = db.store.models.create({ name: 'org/name' });
    const session = db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    db.store.downloads.complete(session.id, { downloadPath: '/tmp/x', sizeBytes: 1 });
    const result = await cli('model', 'remove', 'org/name');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Removed model org\/name \(id 1\) and its download history; files already in the cache are kept \(--purge deletes them\)\.\n$/,
    );
    assert.equal(db.store.models.byName('org/name'), null);
  });

  test('model remove is refused while the model downloads', async () => {
    const model = db.store.models.create({ name: 'org/busy' });
    db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    const result = await cli('model', 'remove', 'org/busy');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^hfsched: .*org\/busy.*\n$/);
    assert.notEqual(db.store.models.byName('org/busy'), null);
  });
});

describe('hfsched history', () => {
  let db: TempDatabase;
  const cli = (...args: string[]) => runCli(args, { dbPath: db.dbPath });
  beforeEach(() => {
    db = createTempDatabase();
  });
  afterEach(() => db.cleanup());

  function modelWithSessions(count: number): Model {
    const model = db.store.models.create({ name: 'org/name' });
    for (let attempt = 1; attempt <= count; attempt += 1) {
      const session = db.store.downloads.begin({ modelId: model.id, scheduleId: null });
      db.store.downloads.fail(session.id, `attempt ${attempt} failed`);
    }
    return model;
  }

  test('history lists the sessions newest first', async () => {
    modelWithSessions(3);
    const result = await cli('history', 'org/name');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^SESSION\s+STATUS\s+STARTED \(\S+\)\s+ENDED \(\S+\)\s+DOWNLOADED\s+TOTAL\s+RETRY\s+SCHEDULE\s+NOTE$/,
    );
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/)[0]),
      ['3', '2', '1'],
    );
    assert.match(lines[1] ?? '', /failed.*attempt 3 failed$/);
  });

  test('history --limit shows only the newest sessions', async () => {
    modelWithSessions(4);
    const sessions = parseJsonOutput<DownloadSession[]>(await cli('history', '1', '--limit', '2', '--json'));
    assert.deepEqual(
      sessions.map((session) => session.id),
      [4, 3],
    );
    assert.equal(sessions[0]?.retryCount, 3);
  });

  test('history of a model without sessions says so', async () => {
    db.store.models.create({ name: 'org/new' });
    const result = await cli('history', 'org/new');
    assert.equal(result.stdout, 'No download sessions for org/new yet.\n');
  });

  test('history with a limit of 0 exits 2', async () => {
    modelWithSessions(1);
    const result = await cli('history', 'org/name', '--limit', '0');
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "hfsched: option '--limit <n>' argument '0' is invalid. expected a whole number from 1 to 1000.\n",
    );
  });

  test('history of an unknown model exits 1', async () => {
    const result = await cli('history', 'org/absent');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no model "org\/absent"/);
  });
});
