import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, openSync, readSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

interface VerifyReport {
  model: string;
  outcome: { state: string; problems?: { path: string; problem: string }[] };
}

const weights = randomBytes(2 * 1024 * 1024);
const other = randomBytes(300 * 1024);

describe('hfsched verify', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const cli = (...args: string[]) =>
    runCli(args, { dbPath: db.dbPath, env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir } });
  const blob = (path: string): string =>
    join(cacheDir, 'models--org--model', 'blobs', hub.fileInfo('org/model', 'main', path).etag);
  const snapshotFile = (path: string): string =>
    join(cacheDir, 'models--org--model', 'snapshots', hub.commitOf('org/model', 'main'), path);

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/model',
          // Plain LFS: a deleted blob must be fetched again, not linked back from the shared store
          // (test/hub/shared-store.test.ts covers verify on a store).
          xet: false,
          revisions: {
            main: [
              { path: 'config.json', content: '{"hidden_size": 8}' },
              { path: 'model.safetensors', content: weights },
              { path: 'extra.safetensors', content: other },
              { path: 'tokenizer/vocab.txt', content: 'a\nb\n' },
            ],
          },
        },
      ],
    });
    db = createTempDatabase();
    cacheDir = join(db.dir, 'cache');
    db.store.config.set('download.min_free_bytes', '0');
    const pulled = await cli('pull', 'org/model');
    assert.equal(pulled.code, 0, pulled.stderr);
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('an intact model verifies with exit 0 and no network', async () => {
    hub.clearLog();
    const result = await cli('verify');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^org\/model\s+ok\s+4 files, 2\.3 MiB/m);
    assert.deepEqual(hub.requests, []);
    assert.equal(db.store.models.byName('org/model')!.status, 'completed');
  });

  test('a deleted blob and a blob with one byte flipped are found, and the next run fetches exactly those two', async () => {
    unlinkSync(blob('model.safetensors'));
    const fd = openSync(blob('config.json'), 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 5);
    writeSync(fd, Buffer.from([byte[0]! ^ 0x01]), 0, 1, 5);
    closeSync(fd);

    const result = await cli('verify', 'org/model', '--json');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /2 damaged files in org\/model; marked pending/);
    const [report] = parseJsonOutput<VerifyReport[]>(result);
    assert.equal(report!.outcome.state, 'damaged');
    assert.deepEqual(
      report!.outcome.problems!.map((problem) => `${problem.path}: ${problem.problem}`),
      ['config.json: corrupt', 'model.safetensors: missing'],
    );
    const model = db.store.models.byName('org/model')!;
    assert.equal(model.status, 'pending');
    assert.match(model.statusReason ?? '', /^verify: 2 files damaged \(1 corrupt, 1 missing\)/);

    hub.clearLog();
    const repaired = await cli('pull', 'org/model');
    assert.equal(repaired.code, 0, repaired.stderr);
    const commit = hub.commitOf('org/model', 'main');
    const fetched = hub.requests.filter((request) => request.path.includes('/resolve/')).map((request) => request.path);
    assert.deepEqual(fetched.sort(), [
      `/org/model/resolve/${commit}/config.json`,
      `/org/model/resolve/${commit}/model.safetensors`,
    ]);
    assert.equal((await cli('verify')).code, 0, 'intact again');
    assert.equal(db.store.models.byName('org/model')!.statusReason, null);
  });

  test('a copy where a link should be is reported as a copy', async () => {
    const path = snapshotFile('extra.safetensors');
    rmSync(path);
    copyFileSync(blob('extra.safetensors'), path);
    const result = await cli('verify', '--json');
    assert.equal(result.code, 1);
    const [report] = parseJsonOutput<VerifyReport[]>(result);
    assert.deepEqual(
      report!.outcome.problems!.map((problem) => `${problem.path}: ${problem.problem}`),
      ['extra.safetensors: copy'],
    );
  });

  test('model retry on a damaged completed model verifies it and makes it pending for its repair', async () => {
    unlinkSync(blob('tokenizer/vocab.txt'));
    const retry = await cli('model', 'retry', 'org/model');
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /is pending for repair: verify: 1 file damaged \(1 missing\)/);
    const model = db.store.models.byName('org/model')!;
    assert.equal(model.status, 'pending');
    assert.match(model.statusReason ?? '', /1 missing/);
  });

  test('model retry on an intact completed model makes it pending for a re-check', async () => {
    const retry = await cli('model', 'retry', 'org/model');
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /its 4 files are intact; the next run checks its revision again/);
    assert.equal(db.store.models.byName('org/model')!.status, 'pending');
  });

  test('verifying an unknown model is bad usage: exit 2, nothing changes', async () => {
    const result = await cli('verify', 'org/absent');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'hfsched: no model "org/absent"; see the known models with: hfsched model list\n');
  });
});
