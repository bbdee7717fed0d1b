/**
 * A broken or hostile endpoint (the test Hub's hostile mode) can make a
 * download fail, but never loop, exhaust memory, trust a lie or write outside
 * the cache: each case ends in one clear error.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError } from '../../src/hub/index.js';
import { MAX_JSON_BYTES } from '../../src/hub/protocol/repo-listing.js';
import { createHubFixture, patternBytes, requestsFor, type HubFixture } from './fixtures.js';

const weights = patternBytes(2 * 1024 * 1024);
let fx: HubFixture;
/** The cache is `{parent}/cache`: nothing may appear beside it. */
let parent: string;
let cacheDir: string;

beforeEach(async () => {
  fx = await createHubFixture(
    [
      {
        id: 'org/model',
        revisions: {
          main: [
            { path: 'a.json', content: '{}' },
            { path: 'b.json', content: '{"b": 1}' },
            { path: 'model.safetensors', content: weights },
          ],
        },
      },
    ],
    { treePageSize: 1 },
  );
  parent = mkdtempSync(join(tmpdir(), 'hfsched-hostile-'));
  cacheDir = join(parent, 'cache');
  mkdirSync(cacheDir);
});
afterEach(async () => {
  await fx.cleanup();
  rmSync(parent, { recursive: true, force: true });
});

function pull(): Promise<unknown> {
  return fx.pull('org/model', { cacheDir, maxRetries: 1 });
}

function assertNothingOutsideTheCache(): void {
  assert.deepEqual(readdirSync(parent), ['cache']);
}

async function assertFailsWith(pattern: RegExp): Promise<void> {
  await assert.rejects(pull(), (error: Error) => {
    assert.ok(error instanceof DownloadError, `a DownloadError, got ${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
  assertNothingOutsideTheCache();
}

test('a tree listing whose next page points to itself stops at the repeat', async () => {
  fx.hub.setHostile({ loopingPages: true });
  await assertFailsWith(/already listed \(the pages loop\)/);
  assert.equal(requestsFor(fx.hub, '/tree/').length, 1);
});

test('a next page elsewhere on another origin is refused, and that origin is never asked', async () => {
  fx.hub.setHostile({ nextPageUrl: `${fx.hub.cdnUrl}/internal/admin` });
  await assertFailsWith(/next page is on another server/);
  assert.equal(fx.hub.requests.filter((request) => request.host === 'cdn').length, 0);
});

test("a next page on another origin with this listing's path is asked of the endpoint instead", async () => {
  fx.hub.setHostile({ nextPageOrigin: fx.hub.cdnUrl });
  await pull();
  assert.equal(
    fx.hub.requests.filter((request) => request.host === 'cdn' && request.path.includes('/tree/')).length,
    0,
  );
  assert.equal(requestsFor(fx.hub, '/tree/').length, 3, 'three files in pages of one');
});

test('a JSON answer larger than the cap is refused without being parsed', async () => {
  fx.hub.setHostile({ jsonBodyBytes: MAX_JSON_BYTES + 1024 });
  await assertFailsWith(/larger than 33554432 bytes/);
});

test('a negative size is refused before any byte is fetched', async () => {
  fx.hub.setHostile({ listedSizes: { 'model.safetensors': -5 } });
  await assertFailsWith(/invalid size \(-5\) for "model.safetensors"/);
  assert.equal(requestsFor(fx.hub, '/resolve/').length, 0);
});

test('a size beyond any real file is refused', async () => {
  fx.hub.setHostile({ listedSizes: { 'model.safetensors': 2 ** 52 } });
  await assertFailsWith(/invalid size \(4503599627370496\)/);
});

test('an lfs.size that differs from the size is refused', async () => {
  fx.hub.setHostile({ listedLfsSizes: { 'model.safetensors': 7 } });
  await assertFailsWith(/two sizes for "model.safetensors"/);
});

test('a size that is a lie fails the file, and no blob appears under its hash', async () => {
  fx.hub.setHostile({ listedSizes: { 'model.safetensors': weights.length + 10 } });
  await assertFailsWith(/model\.safetensors/);
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  assert.equal(existsSync(join(cacheDir, 'models--org--model', 'blobs', sha)), false);
});

test('a listing that disagrees with a cached blob whose hash is its name fails the file and keeps the blob', async () => {
  await pull();
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  const blob = join(cacheDir, 'models--org--model', 'blobs', sha);
  // The commit's listing on disk would answer instead of the Hub (tree-listing.ts): drop it.
  rmSync(join(cacheDir, 'models--org--model', 'trees'), { recursive: true, force: true });
  fx.hub.setHostile({ listedSizes: { 'model.safetensors': weights.length - 1 } });
  await assertFailsWith(/the listing is wrong and the blob was kept/);
  assert.deepEqual(readFileSync(blob), weights);
});

test('a cached blob of the wrong size whose bytes do not match its name is fetched again', async () => {
  await pull();
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  const blob = join(cacheDir, 'models--org--model', 'blobs', sha);
  truncateSync(blob, 1000);
  await pull();
  assert.deepEqual(readFileSync(blob), weights);
});
