/**
 * The cache hfsched writes, read by Hugging Face's own JavaScript client
 * (@huggingface/hub): its cache scanner must see every repo, revision, ref
 * and file, and its downloader must find a cached file without the network,
 * as the Python client does with HF_HUB_OFFLINE=1.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { downloadFileToCacheDir, scanCacheDir } from '@huggingface/hub';
import { unexpectedScanWarnings } from '../support/official-scan.js';
import { createHubFixture, patternBytes, type HubFixture } from './fixtures.js';

const shared = patternBytes(200_000);
const v1Config = '{"model_type": "tiny", "version": 1}';
const mainConfig = '{"model_type": "tiny", "version": 2}';
let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    {
      id: 'org/tiny',
      revisions: {
        main: [
          { path: 'config.json', content: mainConfig },
          { path: 'model.safetensors', content: shared },
          { path: 'tokenizer/vocab.txt', content: 'a\nb\nc\n' },
        ],
        'v1.0': [
          { path: 'config.json', content: v1Config },
          { path: 'model.safetensors', content: shared },
        ],
      },
    },
  ]);
});
after(() => fx.cleanup());

test('the official JavaScript client scans the cache and sees both revisions, their refs and every file', async () => {
  const main = await fx.pull('org/tiny');
  const v1 = await fx.pull('org/tiny', { revision: 'v1.0' });

  const scan = await scanCacheDir(fx.cacheDir);

  // Its one complaint is the shared store folder at the cache root (official-scan.ts).
  assert.deepEqual(unexpectedScanWarnings(scan), []);
  assert.equal(scan.repos.length, 1);
  const repo = scan.repos[0]!;
  assert.deepEqual(repo.id, { name: 'org/tiny', type: 'model' });
  const revisions = new Map(repo.revisions.map((revision) => [revision.commitOid, revision]));
  assert.deepEqual([...revisions.get(main.commit)!.refs], ['main']);
  assert.deepEqual([...revisions.get(v1.commit)!.refs], ['v1.0']);
  const mainFiles = revisions
    .get(main.commit)!
    .files.map((file) => file.path.slice(main.snapshotPath.length + 1))
    .sort();
  // Its scanner lists a snapshot's top-level files only (it skips folders); the nested file is read in the next test.
  assert.deepEqual(mainFiles, ['config.json', 'model.safetensors']);
  // The weights are one blob shared by both revisions: 2 configs + 1 weights, counted once.
  assert.equal(repo.filesCount, 3);
  assert.equal(repo.size, mainConfig.length + v1Config.length + shared.length);
});

test('the official JavaScript client finds a cached file offline: no request reaches any server', async () => {
  const main = await fx.pull('org/tiny');
  const refusingFetch: typeof fetch = () => Promise.reject(new Error('offline: no request may be sent'));

  const path = await downloadFileToCacheDir({
    repo: 'org/tiny',
    path: 'tokenizer/vocab.txt',
    revision: main.commit,
    cacheDir: fx.cacheDir,
    fetch: refusingFetch,
  });

  assert.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
  assert.equal(realpathSync(path).startsWith(realpathSync(fx.cacheDir)), true);
});
