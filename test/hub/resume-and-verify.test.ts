import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DownloadError } from '../../src/hub/index.js';
import { bodyBytesFor, createHubFixture, patternBytes, requestsFor, type HubFixture } from './fixtures.js';

const SIZE = 3 * 1024 * 1024;
const weights = patternBytes(SIZE);
let fx: HubFixture;

beforeEach(async () => {
  fx = await createHubFixture([
    {
      id: 'org/model',
      revisions: {
        main: [
          { path: 'config.json', content: '{"a": 1}' },
          { path: 'model.safetensors', content: weights },
        ],
      },
    },
  ]);
});
afterEach(() => fx.cleanup());

function blobNames(): string[] {
  return readdirSync(join(fx.cacheDir, 'models--org--model', 'blobs'));
}

test('a connection dropped mid-file is resumed with a Range request in the same run', async () => {
  fx.hub.addFault({ kind: 'drop', pathContains: 'model.safetensors', afterBytes: 1_000_000, times: 1 });
  const result = await fx.pull('org/model');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  const cdn = fx.hub.requests.filter((request) => request.host === 'cdn');
  assert.equal(cdn.length, 2);
  assert.equal(cdn[0]!.range, null);
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1]!.range ?? '')?.[1]);
  assert.ok(resumedAt > 0 && resumedAt <= 1_000_000, `resumed at ${cdn[1]!.range}`);
  assert.ok(bodyBytesFor(fx.hub, 'model.safetensors') < SIZE + 1_000_000);
});

test('a paused download keeps its partial file and the next run continues it', async () => {
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 4 * 1024 * 1024, pathContains: 'model.safetensors' });
  const controller = new AbortController();
  const paused = fx.pull('org/model', {
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.fetchedBytes > 1024 * 1024) controller.abort('window closed');
    },
  });
  await assert.rejects(paused, (reason: unknown) => reason === 'window closed');
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  assert.ok(blobNames().includes(`${sha}.incomplete`));
  assert.equal(
    existsSync(join(fx.cacheDir, 'models--org--model', 'refs', 'main')),
    false,
    'no ref for an unfinished snapshot',
  );

  fx.hub.clearFaults();
  fx.hub.clearLog();
  const result = await fx.pull('org/model');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  const resumed = requestsFor(fx.hub, sha).filter((request) => request.host === 'cdn');
  assert.equal(resumed.length, 1);
  assert.match(resumed[0]!.range ?? '', /^bytes=[1-9]\d*-$/);
  assert.ok(result.fetchedBytes < SIZE, 'only the missing part was fetched');
});

test('pulling a complete model again sends no file bodies', async () => {
  await fx.pull('org/model');
  fx.hub.clearLog();
  const again = await fx.pull('org/model');
  assert.equal(again.fetchedBytes, 0);
  const bodies = fx.hub.requests.filter((request) => !request.path.startsWith('/api/'));
  assert.deepEqual(bodies, []);
});

test('corrupted bytes are detected, downloaded again, and never reach the snapshot', async () => {
  fx.hub.addFault({ kind: 'corrupt', pathContains: 'model.safetensors', times: 1 });
  const result = await fx.pull('org/model');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  assert.equal(bodyBytesFor(fx.hub, 'model.safetensors'), 2 * SIZE);
});

test('a file that never verifies fails with its name, and leaves nothing behind', async () => {
  fx.hub.addFault({ kind: 'corrupt', pathContains: 'model.safetensors' });
  await assert.rejects(fx.pull('org/model', { maxRetries: 2 }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.match(
      error.message,
      /^the server keeps sending bytes that do not match sha256 [0-9a-f]{64} for "model\.safetensors" of "org\/model": 3 downloads in a row failed verification \(last: "model\.safetensors" failed verification: its sha256 is [0-9a-f]{64}, the Hub says [0-9a-f]{64}\)/,
    );
    return true;
  });
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  assert.ok(!blobNames().some((name) => name.startsWith(sha)), 'no blob and no partial file');
  const commit = fx.hub.commitOf('org/model', 'main');
  assert.equal(existsSync(join(fx.cacheDir, 'models--org--model', 'snapshots', commit, 'model.safetensors')), false);
});

test('a corrupted regular file is caught by its git blob hash', async () => {
  fx.hub.addFault({ kind: 'corrupt', pathContains: 'config.json' });
  await assert.rejects(
    fx.pull('org/model', { maxRetries: 0 }),
    /"config\.json" failed verification: its git blob sha1 is/,
  );
});

test('server errors are retried, and the download succeeds once they stop', async () => {
  fx.hub.addFault({ kind: 'status', pathContains: '/resolve/', status: 503, times: 2 });
  const result = await fx.pull('org/model');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
});

test('a 429 answer is retried after the Retry-After the server asked for', async () => {
  fx.hub.addFault({ kind: 'status', pathContains: '/api/models/', status: 429, times: 1, retryAfterSeconds: 1 });
  const started = performance.now();
  await fx.pull('org/model');
  assert.ok(performance.now() - started >= 950, 'waited for Retry-After');
});

test('retries are bounded by max_retries, then the error names the file', async () => {
  fx.hub.addFault({ kind: 'status', pathContains: 'model.safetensors', status: 500 });
  await assert.rejects(fx.pull('org/model', { maxRetries: 2 }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.match(
      error.message,
      /^downloading "model\.safetensors" of "org\/model" failed after 2 retries: 127\.0\.0\.1:\d+ answered 500/,
    );
    return true;
  });
  assert.equal(requestsFor(fx.hub, 'model.safetensors').length, 3);
});

test('a connection that stalls is dropped after the stall timeout and resumed', async () => {
  fx.hub.addFault({ kind: 'stall', pathContains: 'model.safetensors', afterBytes: 500_000, times: 1 });
  const result = await fx.pull('org/model', { stallTimeoutMs: 300 });
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  const cdn = fx.hub.requests.filter((request) => request.host === 'cdn');
  assert.equal(cdn.length, 2);
  assert.match(cdn[1]!.range ?? '', /^bytes=[1-9]\d*-$/);
});
