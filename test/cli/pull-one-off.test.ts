import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub, type TempDatabase } from '../support/temp-db.js';

describe('hfsched pull with its own --revision/--include/--exclude is a one-off', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const cli = (args: string[]) => runCli(args, { dbPath: db.dbPath });
  const repoDir = (): string => join(cacheDir, 'models--org--model');

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/model',
          revisions: {
            main: [
              { path: 'config.json', content: '{"v": 2}' },
              { path: 'weights.bin', content: 'main weights' },
            ],
            'v1.0': [{ path: 'config.json', content: '{"v": 1}' }],
          },
        },
      ],
    });
    db = createTempDatabase();
    cacheDir = useTestHub(db, hub.url);
    db.store.config.set('cache.keep_revisions', '1');
    const first = await cli(['pull', 'org/model']);
    assert.equal(first.code, 0, first.stderr);
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('pull --revision v1.0 leaves the model, its files, history and refs alone, so cache prune keeps its revision', async () => {
    const before = db.store.models.byName('org/model')!;
    const files = db.store.models.files(before.id);
    const mainCommit = hub.commitOf('org/model', 'main');

    const result = await cli(['pull', 'org/model', '--revision', 'v1.0']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), join(repoDir(), 'snapshots', hub.commitOf('org/model', 'v1.0')));
    assert.match(result.stderr, /a one-off with the command line's options: org\/model itself is unchanged, completed/);

    const after = db.store.models.byName('org/model')!;
    assert.deepEqual(
      [after.status, after.currentCommit, after.downloadPath, after.revision],
      [before.status, mainCommit, before.downloadPath, null],
    );
    assert.deepEqual(db.store.models.files(after.id), files);
    assert.equal(db.store.downloads.history(after.id).length, 1, 'the one-off is not a session of the model');
    assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), mainCommit);

    const prune = await cli(['cache', 'prune']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.ok(existsSync(join(repoDir(), 'snapshots', mainCommit, 'weights.bin')), "the model's revision is kept");
    const verify = await cli(['verify', 'org/model']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  test("a one-off of the model's own branch with other patterns does not move its ref to a partial snapshot", async () => {
    const oldCommit = hub.commitOf('org/model', 'main');
    hub.moveBranch('org/model', 'main', [
      { path: 'config.json', content: '{"v": 3}' },
      { path: 'weights.bin', content: 'new weights' },
    ]);
    const result = await cli(['pull', 'org/model', '--include', 'config.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), oldCommit);
    assert.equal(db.store.models.byName('org/model')!.currentCommit, oldCommit);
  });

  test('a failed one-off (--revision nosuch) is reported with exit 1 and not recorded: the model stays completed', async () => {
    const result = await cli(['pull', 'org/model', '--revision', 'nosuch']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /the one-off pull failed; org\/model is unchanged and nothing is recorded/);
    assert.match(result.stderr.trim().split('\n').at(-1)!, /nosuch/);
    const model = db.store.models.byName('org/model')!;
    assert.equal(model.status, 'completed');
    assert.deepEqual(
      db.store.downloads.history(model.id).map((session) => session.status),
      ['completed'],
    );
  });

  test('pull with the options the model already has is an ordinary pull, recorded in its history', async () => {
    const result = await cli(['pull', 'org/model', '--revision', 'main']);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /one-off/);
    assert.equal(db.store.downloads.history(db.store.models.byName('org/model')!.id).length, 2);
  });
});
