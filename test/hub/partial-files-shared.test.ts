/**
 * The partial file `blobs/{etag}.incomplete` is shared with huggingface_hub,
 * which resumes any such file by appending from its size and then renames it
 * into place without checking a hash (file_download.py,
 * `_download_to_tmp_and_move` / `http_get` with `resume_size`). So it must
 * always hold a correct contiguous prefix, whoever wrote it.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHubFixture, patternBytes, requestsFor, type HubFixture } from './fixtures.js';

const MiB = 1024 * 1024;
const weights = patternBytes(24 * MiB);
let fx: HubFixture;

beforeEach(async () => {
  fx = await createHubFixture([
    { id: 'org/model', revisions: { main: [{ path: 'model.safetensors', content: weights }] } },
  ]);
});
afterEach(() => fx.cleanup());

function blobsDir(): string {
  return join(fx.cacheDir, 'models--org--model', 'blobs');
}

/** huggingface_hub's rule, reproduced: GET with Range from the partial file's size, append, rename; no hash check. */
async function resumeAsHuggingfaceHub(sha: string): Promise<void> {
  const incomplete = join(blobsDir(), `${sha}.incomplete`);
  const resumeSize = statSync(incomplete).size;
  const response = await fetch(`${fx.hub.url}/org/model/resolve/main/model.safetensors`, {
    headers: { Range: `bytes=${resumeSize}-` },
  });
  assert.equal(response.status, 206);
  appendFileSync(incomplete, Buffer.from(await response.arrayBuffer()));
  renameSync(incomplete, join(blobsDir(), sha));
}

test("huggingface_hub's resume rule (append from the .incomplete size, promote unhashed) completes a paused multi-connection download with the right sha256", async () => {
  // A cap per connection, so that several connections run when the download is paused.
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 4 * MiB, pathContains: 'model.safetensors' });
  const controller = new AbortController();
  const paused = fx.pull('org/model', {
    connectionsPerFile: 8,
    multipartThresholdBytes: 8 * MiB,
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.fetchedBytes > 12 * MiB) controller.abort('window closed');
    },
  });
  await assert.rejects(paused, (reason: unknown) => reason === 'window closed');
  fx.hub.clearFaults();
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  const ranged = requestsFor(fx.hub, sha).filter((request) => request.host === 'cdn' && request.range !== null);
  assert.ok(ranged.length >= 2, `the download ran over several connections (${ranged.length} range requests)`);
  assert.deepEqual(readdirSync(blobsDir()), [`${sha}.incomplete`], 'one partial file, under the shared name');
  assert.ok(statSync(join(blobsDir(), `${sha}.incomplete`)).size > 0, 'the partial file holds a prefix');

  await resumeAsHuggingfaceHub(sha);
  const blob = readFileSync(join(blobsDir(), sha));
  assert.equal(createHash('sha256').update(blob).digest('hex'), sha);
});

test('a partial file left by huggingface_hub is continued from its size and the whole blob is verified', async () => {
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  mkdirSync(blobsDir(), { recursive: true });
  const kept = 5 * MiB + 12345;
  writeFileSync(join(blobsDir(), `${sha}.incomplete`), weights.subarray(0, kept));
  fx.hub.clearLog();
  const result = await fx.pull('org/model', { connectionsPerFile: 8, multipartThresholdBytes: 8 * MiB });
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  const starts = requestsFor(fx.hub, sha)
    .filter((request) => request.host === 'cdn')
    .map((request) => Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0));
  assert.equal(Math.min(...starts), kept, 'nothing before the kept prefix was fetched again');
});

test('a partial file whose prefix is wrong is caught by the hash, and the blob never appears with those bytes', async () => {
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  mkdirSync(blobsDir(), { recursive: true });
  const wrong = Buffer.from(weights.subarray(0, 3 * MiB));
  wrong[1000] = wrong[1000]! ^ 0xff;
  writeFileSync(join(blobsDir(), `${sha}.incomplete`), wrong);
  const result = await fx.pull('org/model', { connectionsPerFile: 8, multipartThresholdBytes: 8 * MiB });
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
});
