import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  readFileSync,
  readlinkSync,
  readdirSync,
  lstatSync,
  existsSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHubFixture, patternBytes, type HubFixture } from './fixtures.js';

const weights = patternBytes(300_000);
const config = '{"model_type": "bert"}';
let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    {
      id: 'org/tiny',
      revisions: {
        main: [
          { path: 'config.json', content: config },
          { path: 'model.safetensors', content: weights },
          { path: 'tokenizer/vocab.txt', content: 'a\nb\nc\n' },
        ],
        'v1.0': [
          { path: 'config.json', content: '{"model_type": "bert", "old": true}' },
          { path: 'model.safetensors', content: weights },
        ],
      },
    },
  ]);
});
after(() => fx.cleanup());

test('a snapshot holds relative links to blobs named by their hash, and refs/main holds the commit', async () => {
  const result = await fx.pull('org/tiny');
  const repoDir = join(fx.cacheDir, 'models--org--tiny');
  const commit = fx.hub.commitOf('org/tiny', 'main');
  assert.equal(result.commit, commit);
  assert.equal(result.snapshotPath, join(repoDir, 'snapshots', commit));
  assert.equal(readFileSync(join(repoDir, 'refs', 'main'), 'utf8'), commit);

  const weightsInfo = fx.hub.fileInfo('org/tiny', 'main', 'model.safetensors');
  const configInfo = fx.hub.fileInfo('org/tiny', 'main', 'config.json');
  assert.equal(readlinkSync(join(result.snapshotPath, 'model.safetensors')), `../../blobs/${weightsInfo.sha256}`);
  assert.equal(readlinkSync(join(result.snapshotPath, 'config.json')), `../../blobs/${configInfo.blobId}`);
  const vocabInfo = fx.hub.fileInfo('org/tiny', 'main', 'tokenizer/vocab.txt');
  assert.equal(readlinkSync(join(result.snapshotPath, 'tokenizer', 'vocab.txt')), `../../../blobs/${vocabInfo.blobId}`);

  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  assert.equal(readFileSync(join(result.snapshotPath, 'config.json'), 'utf8'), config);
  assert.equal(result.fileCount, 3);
  assert.equal(result.totalBytes, weights.length + config.length + 6);
  const leftovers = readdirSync(join(repoDir, 'blobs')).filter((name) => name.includes('.incomplete'));
  assert.deepEqual(leftovers, []);
});

test('a second revision shares the identical blob and gets its own ref', async () => {
  await fx.pull('org/tiny');
  const v1 = await fx.pull('org/tiny', { revision: 'v1.0' });
  const repoDir = join(fx.cacheDir, 'models--org--tiny');
  assert.equal(readFileSync(join(repoDir, 'refs', 'v1.0'), 'utf8'), fx.hub.commitOf('org/tiny', 'v1.0'));
  const sha = fx.hub.fileInfo('org/tiny', 'v1.0', 'model.safetensors').sha256;
  assert.equal(readlinkSync(join(v1.snapshotPath, 'model.safetensors')), `../../blobs/${sha}`);
  // One blob for the weights, two configs, one vocab.
  assert.equal(readdirSync(join(repoDir, 'blobs')).length, 4);
  assert.equal(v1.fetchedBytes, readFileSync(join(v1.snapshotPath, 'config.json')).length);
});

test('a revision given as a commit hash writes no ref', async () => {
  const commit = fx.hub.commitOf('org/tiny', 'v1.0');
  const result = await fx.pull('org/tiny', { revision: commit });
  assert.equal(result.commit, commit);
  assert.equal(existsSync(join(fx.cacheDir, 'models--org--tiny', 'refs', commit)), false);
  assert.ok(lstatSync(join(result.snapshotPath, 'config.json')).isSymbolicLink());
});

test('pulling again mends an existing snapshot: a wrong link, a missing one and a file in the way are replaced', async () => {
  const first = await fx.pull('org/tiny');
  const configLink = join(first.snapshotPath, 'config.json');
  const weightsLink = join(first.snapshotPath, 'model.safetensors');
  const vocabLink = join(first.snapshotPath, 'tokenizer', 'vocab.txt');
  const rightConfig = readlinkSync(configLink);
  const rightWeights = readlinkSync(weightsLink);
  const rightVocab = readlinkSync(vocabLink);
  rmSync(configLink);
  symlinkSync(rightVocab, configLink);
  rmSync(weightsLink);
  rmSync(vocabLink);
  writeFileSync(vocabLink, 'not a link');

  const again = await fx.pull('org/tiny');
  assert.equal(again.fetchedBytes, 0);
  assert.equal(readlinkSync(configLink), rightConfig);
  assert.equal(readlinkSync(weightsLink), rightWeights);
  assert.equal(readlinkSync(vocabLink), rightVocab);
  assert.equal(readFileSync(configLink, 'utf8'), config);
  assert.deepEqual(readFileSync(weightsLink), weights);
});
