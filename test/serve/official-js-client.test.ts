/**
 * The mirror read by Hugging Face's own JavaScript client (@huggingface/hub),
 * pointed at it with `hubUrl` as HF_ENDPOINT points the Python client: the
 * bytes it stores are the test Hub's, its snapshot is complete, and it sees
 * no Xet (a client with Xet would otherwise go to a CAS the mirror has not).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { downloadFileToCacheDir, fileDownloadInfo, listFiles, snapshotDownload } from '@huggingface/hub';
import { createMirrorFixture, type MirrorFixture } from './mirror-fixture.js';

const weights = Buffer.alloc(3 * 1024 * 1024);
for (let i = 0; i < weights.length; i += 4) weights.writeUInt32LE((i * 2654435761) >>> 0, i);
const files = [
  { path: 'config.json', content: '{"model_type": "tiny"}' },
  { path: 'model.safetensors', content: weights },
  { path: 'tokenizer/vocab.txt', content: 'a\nb\nc\n' },
];
let fx: MirrorFixture;

before(async () => {
  fx = await createMirrorFixture([{ id: 'org/tiny', revisions: { main: files } }]);
  await fx.pull(['org/tiny']);
  // The client logs each download with console.debug; the test output does not need it.
  console.debug = () => {};
});
after(() => fx.cleanup());

test("downloadFileToCacheDir through the mirror stores the test Hub's bytes, by branch and by commit", async () => {
  const cacheDir = fx.clientCache('files');
  const commit = fx.hub.commitOf('org/tiny', 'main');
  for (const file of files) {
    const path = await downloadFileToCacheDir({
      repo: 'org/tiny',
      path: file.path,
      revision: 'main',
      hubUrl: fx.mirror.url,
      cacheDir,
    });
    assert.deepEqual(readFileSync(path), Buffer.from(file.content), file.path);
    assert.equal(path, join(cacheDir, 'models--org--tiny', 'snapshots', commit, file.path));
    // The blob is named as the Hub names it: sha256 for the LFS file, git blob id for the others.
    const blob = realpathSync(path).split('/').at(-1);
    assert.equal(blob, fx.hub.fileInfo('org/tiny', 'main', file.path).etag);
  }
});

test('snapshotDownload through the mirror gives the whole snapshot, byte for byte', async () => {
  const cacheDir = fx.clientCache('snapshot');
  const folder = await snapshotDownload({ repo: 'org/tiny', hubUrl: fx.mirror.url, cacheDir });
  assert.equal(folder, join(cacheDir, 'models--org--tiny', 'snapshots', fx.hub.commitOf('org/tiny', 'main')));
  for (const file of files)
    assert.deepEqual(readFileSync(join(folder, file.path)), Buffer.from(file.content), file.path);
  assert.deepEqual(readdirSync(folder).sort(), ['config.json', 'model.safetensors', 'tokenizer']);
  assert.equal(
    readFileSync(join(cacheDir, 'models--org--tiny', 'refs', 'main'), 'utf8'),
    fx.hub.commitOf('org/tiny', 'main'),
  );
});

test('fileDownloadInfo through the mirror reports the size and etag, and no Xet', async () => {
  const info = await fileDownloadInfo({ repo: 'org/tiny', path: 'model.safetensors', hubUrl: fx.mirror.url });
  assert.notEqual(info, null);
  assert.equal(info!.xet, undefined);
  assert.equal(info!.size, weights.length);
  assert.equal(info!.etag, `"${fx.hub.fileInfo('org/tiny', 'main', 'model.safetensors').sha256}"`);
  const small = await fileDownloadInfo({ repo: 'org/tiny', path: 'config.json', hubUrl: fx.mirror.url });
  assert.equal(small!.size, files[0]!.content.length);
  assert.equal(small!.etag, `"${fx.hub.fileInfo('org/tiny', 'main', 'config.json').blobId}"`);
});

test("the listing the official client reads carries the Hub's oids and no xetHash", async () => {
  const entries = [];
  for await (const entry of listFiles({ repo: 'org/tiny', recursive: true, hubUrl: fx.mirror.url }))
    entries.push(entry);
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  assert.deepEqual([...byPath.keys()].sort(), ['config.json', 'model.safetensors', 'tokenizer', 'tokenizer/vocab.txt']);
  for (const file of files) {
    const hubFile = fx.hub.fileInfo('org/tiny', 'main', file.path);
    const entry = byPath.get(file.path)!;
    assert.equal(entry.oid, hubFile.blobId, file.path);
    assert.equal(entry.size, hubFile.size);
    assert.equal(entry.xetHash, undefined);
    if (hubFile.lfs)
      assert.deepEqual(entry.lfs, { oid: hubFile.sha256, size: hubFile.size, pointerSize: hubFile.pointerSize });
  }
  assert.equal(byPath.get('tokenizer')!.type, 'directory');
});
