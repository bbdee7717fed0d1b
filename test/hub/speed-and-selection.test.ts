import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { downloadSnapshot, HubRuntime, type SnapshotProgress } from '../../src/hub/index.js';
import { bodyBytesFor, createHubFixture, patternBytes, type HubFixture } from './fixtures.js';
import { CHUNK_BYTES } from '../../src/hub/transfer/transfer-chunks.js';

const MiB = 1024 * 1024;
const big = patternBytes(24 * MiB);
const small = patternBytes(2 * 1000 * 1000);
const MANY_FILES = 300;
let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    {
      id: 'org/big',
      revisions: {
        main: [
          { path: 'config.json', content: '{}' },
          { path: 'model.safetensors', content: big },
        ],
      },
    },
    { id: 'org/small', revisions: { main: [{ path: 'data.bin', content: small }] } },
    {
      id: 'org/many-files',
      revisions: {
        main: Array.from({ length: MANY_FILES }, (_, index) => ({
          path: `part/${index}.txt`,
          content: `file ${index}`,
        })),
      },
    },
    {
      id: 'org/mixed',
      revisions: {
        main: [
          { path: 'config.json', content: '{}' },
          { path: 'README.md', content: '# mixed' },
          { path: 'model.safetensors', content: 'weights' },
          { path: 'unet/diffusion.safetensors', content: 'unet weights' },
          { path: 'onnx/model.onnx', content: 'onnx' },
          { path: 'onnx/extra/data.bin', content: 'onnx data' },
        ],
        'v1.0': [{ path: 'config.json', content: '{"v": 1}' }],
      },
    },
  ]);
});
after(() => fx.cleanup());

function snapshotFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => !entry.isDirectory())
    .map((entry) =>
      join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name).slice(dir.length + 1),
    )
    .sort();
}

test('under a per-connection cap, a large file adds connections, each asking for a run of many chunks in one range', async () => {
  fx.hub.clearLog();
  // A cap per connection, as CDNs have: each connection added raises the total rate.
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 8 * MiB, pathContains: '.safetensors' });
  let result;
  try {
    result = await fx.pull('org/big', { connectionsPerFile: 4, multipartThresholdBytes: 8 * MiB });
  } finally {
    fx.hub.clearFaults();
  }
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), big);
  const ranges = fx.hub.requests
    .filter((request) => request.host === 'cdn' && request.range !== null)
    .map((request) => request.range!);
  // Several connections took part, yet far fewer requests than the file has chunks.
  const chunks = Math.ceil(big.length / CHUNK_BYTES);
  assert.ok(ranges.length >= 2 && ranges.length < chunks / 2, `${ranges.length} range requests for ${chunks} chunks`);
  const starts = ranges.map((range) => Number(/^bytes=(\d+)-/.exec(range)![1]));
  assert.equal(new Set(starts).size, starts.length, `no range asked twice: ${ranges.join(', ')}`);
  assert.ok(ranges.every((range) => /^bytes=\d+-\d*$/.test(range)));
  // A connection cut when others take over may have been sent a little more than it kept.
  const sent = bodyBytesFor(fx.hub, 'model.safetensors');
  assert.ok(sent >= big.length && sent <= big.length + 4 * MiB, `${sent} bytes sent for ${big.length}`);
  const sha = fx.hub.fileInfo('org/big', 'main', 'model.safetensors').sha256;
  assert.equal(existsSync(join(fx.cacheDir, 'models--org--big', 'blobs', `${sha}.incomplete`)), false);
});

test('a multi-connection download resumes each range after a drop', async () => {
  const { rmSync } = await import('node:fs');
  // Gone from the repo and from the shared store, or it would be linked from there instead of fetched.
  rmSync(join(fx.cacheDir, 'models--org--big'), { recursive: true, force: true });
  rmSync(join(fx.cacheDir, 'blobs'), { recursive: true, force: true });
  fx.hub.clearLog();
  fx.hub.addFault({ kind: 'drop', pathContains: '.safetensors', afterBytes: 1 * MiB, times: 3 });
  try {
    const result = await fx.pull('org/big', { connectionsPerFile: 4, multipartThresholdBytes: 8 * MiB });
    assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), big);
  } finally {
    fx.hub.clearFaults();
  }
  const sent = bodyBytesFor(fx.hub, 'model.safetensors');
  assert.ok(sent >= big.length && sent < big.length + 3 * MiB, `${sent} bytes sent for ${big.length}`);
});

test('the bandwidth limit holds a download to the configured rate', async () => {
  const started = performance.now();
  await downloadSnapshot(new HubRuntime({ bandwidthLimit: 1000 * 1000 }), fx.request('org/small'));
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 1.5, `2 MB at 1 MB/s took ${seconds.toFixed(2)} s`);
});

test('include and exclude globs select the files of the snapshot', async () => {
  const result = await fx.pull('org/mixed', {
    include: ['*.safetensors', '*.json', 'onnx/'],
    exclude: ['unet/*', '**/extra/**'],
  });
  assert.deepEqual(snapshotFiles(result.snapshotPath), ['config.json', 'model.safetensors', 'onnx/model.onnx']);
  assert.equal(result.fileCount, 3);
});

test('a pinned revision downloads that revision and records its ref', async () => {
  const result = await fx.pull('org/mixed', { revision: 'v1.0' });
  assert.equal(result.commit, fx.hub.commitOf('org/mixed', 'v1.0'));
  assert.equal(readFileSync(join(result.snapshotPath, 'config.json'), 'utf8'), '{"v": 1}');
  assert.equal(readFileSync(join(fx.cacheDir, 'models--org--mixed', 'refs', 'v1.0'), 'utf8'), result.commit);
});

test('a download that does not fit the free space waits before fetching anything, and says why', async () => {
  fx.hub.clearLog();
  const controller = new AbortController();
  const reasons: (string | null)[] = [];
  const pull = fx.pull('org/small', {
    cacheDir: join(fx.cacheDir, 'other'),
    minFreeBytes: 2 ** 52,
    signal: controller.signal,
    onSpaceWait: (reason) => {
      reasons.push(reason);
      controller.abort('paused while waiting');
    },
  });
  await assert.rejects(pull, (reason: unknown) => reason === 'paused while waiting');
  assert.match(
    reasons[0] ?? '',
    /^waiting for 4\.0 PiB of free disk: needs [\d.]+ MiB plus 4\.0 PiB kept free \(download\.min_free_bytes\)/,
  );
  assert.equal(fx.hub.requests.filter((request) => request.path.includes('/resolve/')).length, 0);
});

test('many small files: progress is reported at a bounded rate, not for each file, and still ends complete', async () => {
  const progress: SnapshotProgress[] = [];
  const started = performance.now();
  const result = await fx.pull('org/many-files', {
    cacheDir: join(fx.cacheDir, 'many-files'),
    onProgress: (p) => progress.push(p),
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.fileCount, MANY_FILES);
  // One report every 200 ms, plus the first and the last: not one or more per file.
  assert.ok(
    progress.length <= Math.ceil(seconds * 5) + 3,
    `${progress.length} reports in ${seconds.toFixed(2)} s for ${MANY_FILES} files`,
  );
  const last = progress.at(-1)!;
  assert.equal(last.filesDone, MANY_FILES);
  assert.equal(last.doneBytes, result.totalBytes);
  assert.equal(last.files.length, 0);
});

test('progress reports bytes and files, and every file is announced when in place', async () => {
  const progress: SnapshotProgress[] = [];
  const done: string[] = [];
  const result = await fx.pull('org/mixed', {
    cacheDir: join(fx.cacheDir, 'progress'),
    onProgress: (p) => progress.push(p),
    onFileDone: (file) => done.push(file.path),
  });
  const last = progress.at(-1)!;
  assert.equal(last.doneBytes, result.totalBytes);
  assert.equal(last.filesDone, 6);
  assert.equal(last.files.length, 0);
  assert.deepEqual(done.sort(), [
    'README.md',
    'config.json',
    'model.safetensors',
    'onnx/extra/data.bin',
    'onnx/model.onnx',
    'unet/diffusion.safetensors',
  ]);
});

test('two downloads of the same model at once fetch each file once', async () => {
  const cacheDir = join(fx.cacheDir, 'together');
  fx.hub.clearLog();
  const [first, second] = await Promise.all([fx.pull('org/small', { cacheDir }), fx.pull('org/small', { cacheDir })]);
  assert.equal(first.snapshotPath, second.snapshotPath);
  assert.deepEqual(readFileSync(join(first.snapshotPath, 'data.bin')), small);
  assert.equal(bodyBytesFor(fx.hub, 'data.bin'), small.length);
});
