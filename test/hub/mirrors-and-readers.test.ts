import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { createHubFixture, patternBytes, type HubFixture } from './fixtures.js';

const files = Array.from({ length: 7 }, (_, i) => ({ path: `shards/part-${i}.txt`, content: `shard ${i}\n` }));
const weights = patternBytes(100_000);
const large = patternBytes(20 * 1024 * 1024);
let fx: HubFixture;

before(async () => {
  fx = await createHubFixture(
    [
      { id: 'org/many', revisions: { main: [...files, { path: 'model.safetensors', content: weights }] } },
      // Not LFS: served by the Hub itself, through the mirror (LFS bytes would come from the CDN host directly).
      {
        id: 'org/ranges',
        revisions: {
          main: [
            { path: 'big.dat', content: large, lfs: false },
            { path: 'empty.txt', content: '' },
          ],
        },
      },
    ],
    { treePageSize: 3 },
  );
});
after(() => fx.cleanup());

/**
 * A mirror in front of the test Hub that forwards everything but
 * leaves out file hashes from the revision listing (no `?blobs=true`), or
 * drops Range headers (a server without range support).
 */
async function mirror(target: string, quirk: 'no-blobs' | 'no-ranges'): Promise<{ url: string; server: Server }> {
  let mirrorUrl = '';
  const server = createServer((req, res) => {
    const path = quirk === 'no-blobs' ? (req.url ?? '/').replace('?blobs=true', '') : (req.url ?? '/');
    const headers = { ...req.headers };
    if (quirk === 'no-ranges') delete headers.range;
    const upstream = request(new URL(path, target), { method: req.method, headers }, (answer) => {
      // A mirror names its own pages: hfsched refuses a next page on another origin.
      const link = answer.headers.link;
      if (typeof link === 'string') answer.headers.link = link.split(target).join(mirrorUrl);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: mirrorUrl, server };
}

test('a mirror that lists files without hashes is read through the paged tree listing', async () => {
  const { url, server } = await mirror(fx.hub.url, 'no-blobs');
  try {
    fx.hub.clearLog();
    const result = await fx.pull('org/many', { endpoint: url });
    assert.equal(result.fileCount, 8);
    const treePages = fx.hub.requests.filter((r) => r.path.includes('/tree/'));
    assert.equal(treePages.length, 3, 'nine entries (eight files and the shards folder) in pages of three');
    assert.equal(readFileSync(join(result.snapshotPath, 'shards', 'part-6.txt'), 'utf8'), 'shard 6\n');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a server that ignores Range requests still delivers a large file, over one connection', async () => {
  const { url, server } = await mirror(fx.hub.url, 'no-ranges');
  // A cap per connection, so that a second connection pays and asks for a range.
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 16 * 1024 * 1024, pathContains: 'big.dat' });
  try {
    fx.hub.clearLog();
    const result = await fx.pull('org/ranges', {
      endpoint: url,
      connectionsPerFile: 4,
      multipartThresholdBytes: 8 * 1024 * 1024,
    });
    assert.deepEqual(readFileSync(join(result.snapshotPath, 'big.dat')), large);
    const fullAnswers = fx.hub.requests.filter((r) => r.path.includes('big.dat') && r.status === 200);
    assert.ok(fullAnswers.length >= 2, 'the ranges were refused, then the whole file was sent');
  } finally {
    fx.hub.clearFaults();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('an empty file gets an empty blob named by its git hash', async () => {
  const result = await fx.pull('org/ranges', { include: ['empty.txt'] });
  assert.equal(readFileSync(join(result.snapshotPath, 'empty.txt'), 'utf8'), '');
  assert.equal(
    readlinkSync(join(result.snapshotPath, 'empty.txt')),
    `../../blobs/${fx.hub.fileInfo('org/ranges', 'main', 'empty.txt').blobId}`,
  );
  assert.equal(result.fileCount, 1);
});

test('an offline reader finds every file through refs/main and the snapshot links', async () => {
  const result = await fx.pull('org/many');
  // What huggingface_hub does with HF_HUB_OFFLINE=1: read refs/{revision}, then snapshots/{commit}/{path}.
  const repoDir = join(fx.cacheDir, 'models--org--many');
  const commit = readFileSync(join(repoDir, 'refs', 'main'), 'utf8');
  assert.equal(join(repoDir, 'snapshots', commit), result.snapshotPath);
  for (const file of files)
    assert.equal(readFileSync(join(repoDir, 'snapshots', commit, file.path), 'utf8'), file.content);
  assert.deepEqual(readFileSync(join(repoDir, 'snapshots', commit, 'model.safetensors')), weights);
});

const python = spawnSync('python3', ['-c', 'import huggingface_hub'], { encoding: 'utf8' });
const pythonSkip =
  python.status === 0
    ? false
    : 'huggingface_hub is not importable by python3 here; the layout is checked by the test above';

test('the official Python client loads the snapshot in offline mode, file for file', { skip: pythonSkip }, async () => {
  const result = await fx.pull('org/many');
  const script = [
    'import sys, os',
    'from huggingface_hub import snapshot_download',
    'print(snapshot_download("org/many", cache_dir=sys.argv[1]))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script, fx.cacheDir], {
    encoding: 'utf8',
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), result.snapshotPath);
});
