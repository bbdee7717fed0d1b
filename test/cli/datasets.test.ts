import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import type { Model } from '../../src/store/types.js';

describe('datasets', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const cli = (...args: string[]) =>
    runCli(args, { dbPath: db.dbPath, env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir } });

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/shared-name',
          type: 'dataset',
          revisions: {
            main: [
              { path: 'README.md', content: '# a dataset\n' },
              { path: 'data/train-00000.parquet', content: Buffer.alloc(200 * 1024, 3), lfs: true },
            ],
          },
        },
        { id: 'org/shared-name', revisions: { main: [{ path: 'config.json', content: '{"model": true}' }] } },
      ],
    });
    db = createTempDatabase();
    cacheDir = join(db.dir, 'cache');
    db.store.config.set('download.min_free_bytes', '0');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('pull --repo-type dataset lands in datasets--org--name through the datasets API', async () => {
    const result = await cli('pull', '--repo-type', 'dataset', 'org/shared-name');
    assert.equal(result.code, 0, result.stderr);
    const commit = hub.commitOf('datasets/org/shared-name', 'main');
    const snapshot = join(cacheDir, 'datasets--org--shared-name', 'snapshots', commit);
    assert.equal(result.stdout, `${snapshot}\n`);
    assert.equal(readFileSync(join(cacheDir, 'datasets--org--shared-name', 'refs', 'main'), 'utf8'), commit);
    assert.deepEqual(readFileSync(join(snapshot, 'data', 'train-00000.parquet')), Buffer.alloc(200 * 1024, 3));
    assert.ok(!readlinkSync(join(snapshot, 'README.md')).startsWith('/'), 'a relative link');
    const paths = hub.requests.filter((request) => request.host === 'hub').map((request) => request.path);
    assert.ok(paths.some((path) => path.startsWith('/api/datasets/org/shared-name/revision/main')));
    assert.ok(paths.includes(`/datasets/org/shared-name/resolve/${commit}/README.md`));
  });

  test('a dataset and a model may share a name; datasets/org/name names the dataset everywhere', async () => {
    assert.equal((await cli('model', 'add', 'datasets/org/shared-name')).code, 0);
    assert.equal((await cli('model', 'add', 'org/shared-name')).code, 0);
    const twice = await cli('model', 'add', '--repo-type', 'dataset', 'org/shared-name');
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, 'hfsched: dataset "datasets/org/shared-name" already exists\n');

    const list = await cli('model', 'list');
    assert.match(list.stdout, /^1\s+datasets\/org\/shared-name\s+pending/m);
    assert.match(list.stdout, /^2\s+org\/shared-name\s+pending/m);
    const shown = parseJsonOutput<{ model: Model }>(await cli('model', 'show', 'datasets/org/shared-name', '--json'));
    assert.equal(shown.model.repoType, 'dataset');
    assert.equal(
      parseJsonOutput<{ model: Model }>(await cli('model', 'show', 'org/shared-name', '--json')).model.repoType,
      'model',
    );

    assert.equal((await cli('pull', 'datasets/org/shared-name')).code, 0);
    assert.equal((await cli('pull', 'org/shared-name')).code, 0);
    assert.equal((await cli('verify', 'datasets/org/shared-name', 'org/shared-name')).code, 0);
    const cache = parseJsonOutput<{ repos: { model: string; usage: { repoDir: string } }[] }>(
      await cli('cache', 'list', '--json'),
    );
    assert.deepEqual(
      cache.repos.map((repo) => [repo.model, repo.usage.repoDir]),
      [
        ['datasets/org/shared-name', join(cacheDir, 'datasets--org--shared-name')],
        ['org/shared-name', join(cacheDir, 'models--org--shared-name')],
      ],
    );
  });

  test('datasets/ and a different --repo-type contradict each other: exit 2, nothing added', async () => {
    const result = await cli('model', 'add', '--repo-type', 'model', 'datasets/org/shared-name');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /names a dataset but --repo-type says model/);
    assert.deepEqual(db.store.models.list(), []);
  });
});
