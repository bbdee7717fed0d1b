/**
 * Living in a cache that huggingface_hub 1.x shares (docs/sharing-the-cache.md):
 * the tree listing `trees/{commit}.json`, the shared blob store at the cache
 * root, and CACHEDIR.TAG. The official Python client cannot be installed
 * here; where its behaviour matters, python3 runs its documented calls
 * (`json.dump(indent=1)` of `_tree_cache.py`, the flock and manifest steps of
 * `_shared_blobs.py`), and the test names say so.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { downloadFileToCacheDir } from '@huggingface/hub';
import { pruneRepo, purgeRepo, repoUsage, reposBytesOnDisk, verifySnapshot } from '../../src/hub/index.js';
import { RepoCacheLayout } from '../../src/hub/cache/cache-layout.js';
import {
  collectUnreferencedEntries,
  ensureSharedStore,
  publishToStore,
  storeEntryPath,
} from '../../src/hub/cache/shared-blobs.js';
import { readTreeListing, treeListingPath } from '../../src/hub/cache/tree-listing.js';
import type { SnapshotFile } from '../../src/hub/index.js';
import { createHubFixture, patternBytes, requestsFor, type HubFixture } from './fixtures.js';

const weights = patternBytes(300_000);
const otherWeights = patternBytes(200_000);
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const python = spawnSync('python3', ['-c', 'import fcntl, json']).status === 0;

let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    {
      id: 'org/listed',
      revisions: {
        main: [
          { path: 'config.json', content: '{"a": 1}' },
          { path: 'model.safetensors', content: weights },
          { path: '10.txt', content: 'ten' },
          { path: '2.txt', content: 'two' },
          { path: 'Z.txt', content: 'zed' },
          { path: 'a"quote.txt', content: 'q' },
          { path: 'docs/é-accent.md', content: 'accent' },
          { path: 'docs/😀.md', content: 'astral' },
          { path: 'docs/\uffe0-wide.md', content: 'bmp' },
        ],
      },
    },
    { id: 'org/first', revisions: { main: [{ path: 'model.safetensors', content: weights }] } },
    { id: 'org/second', revisions: { main: [{ path: 'weights/model.safetensors', content: weights }] } },
    { id: 'org/opt-out', revisions: { main: [{ path: 'model.safetensors', content: otherWeights }] } },
    { id: 'org/no-xet-either', revisions: { main: [{ path: 'model.safetensors', content: otherWeights }] } },
  ]);
});
after(() => fx.cleanup());
afterEach(() => {
  delete process.env['HF_HUB_DISABLE_SHARED_BLOBS'];
  delete process.env['HF_HUB_DISABLE_XET'];
  fx.hub.clearLog();
});

const layoutOf = (repoId: string): RepoCacheLayout => new RepoCacheLayout(fx.cacheDir, repoId);
const manifestLines = (entry: string): string[] => readFileSync(`${entry}.refs`, 'utf8').split('\n').filter(Boolean);

/** `_tree_cache.write_tree_cache`, its JSON step line for line: TreeCacheEntry.to_json in path order, json.dump(indent=1). */
const PYTHON_WRITE_LISTING = `
import json, sys
entries = json.load(sys.stdin)
files = {}
for path in sorted(entries):
    e = entries[path]
    info = {"size": e["size"], "blob_id": e["blob_id"]}
    if e.get("lfs_sha256") is not None:
        info["lfs_sha256"] = e["lfs_sha256"]
        info["lfs_size"] = e["lfs_size"]
    if e.get("xet_hash") is not None:
        info["xet_hash"] = e["xet_hash"]
    files[path] = info
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"format_version": 1, "files": files}, f, indent=1)
`;

test('the tree listing has the bytes huggingface_hub writes (json.dump(indent=1) run by python3), every file of the commit for a filtered pull', async (t) => {
  if (!python) return t.skip('python3 is not installed');
  const result = await fx.pull('org/listed', { include: ['config.json'] });
  assert.equal(result.fileCount, 1, 'only config.json was selected');
  const layout = layoutOf('org/listed');
  const written = readFileSync(treeListingPath(layout, result.commit));

  // The entries as the tree endpoint gives them, turned into the official file by Python itself.
  const tree = (await (await fetch(`${fx.hub.url}/api/models/org/listed/tree/main?recursive=true`)).json()) as {
    type: string;
    path: string;
    size: number;
    oid: string;
    lfs?: { oid: string; size: number };
    xetHash?: string;
  }[];
  const entries = Object.fromEntries(
    tree
      .filter((entry) => entry.type === 'file')
      .map((entry) => [
        entry.path,
        {
          size: entry.size,
          blob_id: entry.oid,
          lfs_sha256: entry.lfs?.oid ?? null,
          lfs_size: entry.lfs?.size ?? null,
          xet_hash: entry.xetHash ?? null,
        },
      ]),
  );
  const fixture = join(fx.cacheDir, 'official-listing.json');
  const made = spawnSync('python3', ['-c', PYTHON_WRITE_LISTING, fixture], { input: JSON.stringify(entries) });
  assert.equal(made.status, 0, made.stderr.toString());
  assert.equal(written.toString('utf8'), readFileSync(fixture, 'utf8'));
  assert.deepEqual(written, readFileSync(fixture), 'byte for byte');
  assert.equal(Object.keys(entries).length, 9, 'every file of the commit, not only the one pulled');
  const weightsEntry = readTreeListing(layout, result.commit)!.find((entry) => entry.path === 'model.safetensors')!;
  assert.equal(weightsEntry.xetHash, fx.hub.fileInfo('org/listed', 'main', 'model.safetensors').xetHash);
  assert.equal(readdirSync(join(layout.repoDir, 'trees')).length, 1, 'no temporary file left');
});

test('a listing on disk answers instead of the Hub: no request for a commit, one (the revision) for a branch', async () => {
  const commit = fx.hub.commitOf('org/listed', 'main');
  fx.hub.clearLog();
  const byCommit = await fx.pull('org/listed', { revision: commit, include: ['config.json', '*.txt'] });
  assert.equal(byCommit.fileCount, 5);
  assert.deepEqual(requestsFor(fx.hub, '/api/'), [], 'the listing of the commit is reused');
  fx.hub.clearLog();
  await fx.pull('org/listed', { include: ['docs/**'] });
  assert.deepEqual(
    requestsFor(fx.hub, '/api/').map((request) => request.path),
    ['/api/models/org/listed/revision/main?blobs=true'],
  );
  // A listing in a format it does not know is ignored, as the official reader ignores it.
  const path = treeListingPath(layoutOf('org/listed'), commit);
  writeFileSync(path, JSON.stringify({ format_version: 2, files: {} }));
  fx.hub.clearLog();
  await fx.pull('org/listed', { include: ['config.json'] });
  assert.equal(requestsFor(fx.hub, '/tree/').length, 1, 'listed again');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).format_version, 1, 'and written again');
});

test('a pull leaves CACHEDIR.TAG at the cache root, with the standard signature', () => {
  const tag = readFileSync(join(fx.cacheDir, 'CACHEDIR.TAG'), 'utf8');
  assert.match(tag, /^Signature: 8a477f597d28d172789f06886806bc55\n/);
});

test('a verified download is published to the store with the official modes, marker and manifest', async () => {
  chmodSync(fx.cacheDir, 0o755);
  const result = await fx.pull('org/first');
  const xet = fx.hub.fileInfo('org/first', 'main', 'model.safetensors').xetHash!;
  const entry = storeEntryPath(fx.cacheDir, xet);
  const blob = layoutOf('org/first').blobPath(sha256(weights));
  assert.ok(lstatSync(blob).isSymbolicLink());
  assert.equal(readlinkSync(blob), `../../blobs/${xet.slice(0, 2)}/${xet}`);
  assert.deepEqual(readFileSync(entry), weights);
  // Read-only; group and others may read because they may traverse the cache root (0755).
  assert.equal(lstatSync(entry).mode & 0o7777, 0o444);
  assert.equal(lstatSync(dirname(entry)).mode & 0o7777, 0o755);
  assert.equal(readFileSync(join(fx.cacheDir, 'blobs', '.huggingface-shared-blobs'), 'utf8'), '1\n');
  assert.deepEqual(manifestLines(entry), [`models--org--first/blobs/${sha256(weights)}`]);
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
});

test('a second repo holding the same file is linked from the store: 0 bytes fetched', async () => {
  fx.hub.clearLog();
  const result = await fx.pull('org/second');
  assert.equal(result.fetchedBytes, 0);
  assert.deepEqual(
    fx.hub.requests.filter((request) => request.host === 'cdn' || request.path.includes('/resolve/')),
    [],
    'nothing asked of resolve or the CDN',
  );
  const entry = storeEntryPath(
    fx.cacheDir,
    fx.hub.fileInfo('org/second', 'main', 'weights/model.safetensors').xetHash!,
  );
  assert.deepEqual(manifestLines(entry), [
    `models--org--first/blobs/${sha256(weights)}`,
    `models--org--second/blobs/${sha256(weights)}`,
  ]);
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'weights', 'model.safetensors')), weights);
  // Counted once in a budget, however many repos link to it.
  const both = await reposBytesOnDisk([layoutOf('org/first').repoDir, layoutOf('org/second').repoDir]);
  assert.equal(both, weights.length);
});

test('@huggingface/hub reads every file of a store-linked repo offline', async () => {
  const commit = fx.hub.commitOf('org/second', 'main');
  const path = await downloadFileToCacheDir({
    repo: 'org/second',
    path: 'weights/model.safetensors',
    revision: commit,
    cacheDir: fx.cacheDir,
    fetch: () => Promise.reject(new Error('offline')),
  });
  assert.deepEqual(readFileSync(path), weights);
});

test('HF_HUB_DISABLE_SHARED_BLOBS=1 or HF_HUB_DISABLE_XET=1 turns linking and publishing off', async () => {
  process.env['HF_HUB_DISABLE_SHARED_BLOBS'] = '1';
  const off = await fx.pull('org/opt-out');
  assert.equal(off.fetchedBytes, otherWeights.length);
  const blob = layoutOf('org/opt-out').blobPath(sha256(otherWeights));
  assert.ok(lstatSync(blob).isFile(), 'the blob stays a regular file');
  const entry = storeEntryPath(fx.cacheDir, fx.hub.fileInfo('org/opt-out', 'main', 'model.safetensors').xetHash!);
  assert.equal(existsSync(entry), false, 'nothing published');

  delete process.env['HF_HUB_DISABLE_SHARED_BLOBS'];
  process.env['HF_HUB_DISABLE_XET'] = 'true';
  await fx.pull('org/no-xet-either');
  assert.ok(lstatSync(layoutOf('org/no-xet-either').blobPath(sha256(otherWeights))).isFile());
  assert.equal(existsSync(entry), false);
});

test('an unmarked blobs/ at the cache root is never adopted, and the download still succeeds', async () => {
  const other = await createHubFixture([
    { id: 'org/lonely', revisions: { main: [{ path: 'model.safetensors', content: weights }] } },
  ]);
  try {
    mkdirSync(join(other.cacheDir, 'blobs'));
    writeFileSync(join(other.cacheDir, 'blobs', 'someone-elses.txt'), 'mine');
    const result = await other.pull('org/lonely');
    assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
    const blob = join(other.cacheDir, 'models--org--lonely', 'blobs', sha256(weights));
    assert.ok(lstatSync(blob).isFile());
    assert.deepEqual(readdirSync(join(other.cacheDir, 'blobs')), ['someone-elses.txt']);
  } finally {
    await other.cleanup();
  }
});

/**
 * A repo as huggingface_hub 1.x leaves it after publishing (`_shared_blobs.py`):
 * entry 0400 in the marked store, a manifest line, `blobs/{etag}` a relative
 * link to the entry, the snapshot link to `blobs/{etag}`, refs/main.
 */
function officialRepo(
  cacheDir: string,
  repoId: string,
  commit: string,
  files: Record<string, Buffer>,
  ref = true,
): void {
  const layout = new RepoCacheLayout(cacheDir, repoId);
  assert.ok(ensureSharedStore(cacheDir));
  for (const [path, bytes] of Object.entries(files)) {
    const etag = sha256(bytes);
    const xet = createHash('sha256').update(`xet ${etag}`).digest('hex');
    const entry = storeEntryPath(cacheDir, xet);
    mkdirSync(dirname(entry), { recursive: true });
    if (!existsSync(entry)) {
      writeFileSync(entry, bytes);
      chmodSync(entry, 0o400);
    }
    mkdirSync(layout.blobsDir, { recursive: true });
    appendFileSync(`${entry}.refs`, `${relative(cacheDir, layout.blobPath(etag))}\n`);
    if (!existsSync(layout.blobPath(etag))) symlinkSync(relative(layout.blobsDir, entry), layout.blobPath(etag));
    const link = layout.snapshotFilePath(commit, path);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), layout.blobPath(etag)), link);
  }
  if (ref) {
    mkdirSync(layout.refsDir, { recursive: true });
    writeFileSync(layout.refPath('main'), commit);
  }
}

const fileOf = (path: string, bytes: Buffer): SnapshotFile => ({
  path,
  size: bytes.length,
  algorithm: 'sha256',
  etag: sha256(bytes),
});

test('a cache made as huggingface_hub makes it is verified, listed, budgeted, pruned and purged without deleting a shared entry', async () => {
  const cacheDir = join(fx.cacheDir, 'official-cache');
  mkdirSync(cacheDir);
  const [w1, w2] = [patternBytes(50_000), patternBytes(40_000)];
  const [c1, c2, t1] = ['1'.repeat(40), '2'.repeat(40), '3'.repeat(40)];
  officialRepo(cacheDir, 'org/mine', c1, { 'model.safetensors': w1 }, false);
  officialRepo(cacheDir, 'org/mine', c2, { 'model.safetensors': w2 });
  officialRepo(cacheDir, 'org/theirs', t1, { 'model.safetensors': w1 });
  const mine = { repoId: 'org/mine', repoType: 'model' as const };
  const layout = new RepoCacheLayout(cacheDir, 'org/mine');
  mkdirSync(join(layout.repoDir, 'trees'));
  writeFileSync(join(layout.repoDir, 'trees', `${c1}.json`), '{"format_version": 1, "files": {}}');
  const entryOf = (bytes: Buffer): string => readlinkSync(layout.blobPath(sha256(bytes)));
  const w1Entry = join(layout.blobsDir, entryOf(w1));
  const w2Entry = join(layout.blobsDir, entryOf(w2));

  for (const [commit, bytes] of [
    [c1, w1],
    [c2, w2],
  ] as const) {
    const verified = await verifySnapshot({ cacheDir, ...mine, commit, files: [fileOf('model.safetensors', bytes)] });
    assert.deepEqual(verified.problems, [], `snapshot ${commit.slice(0, 4)} verifies through the store`);
  }
  const usage = (await repoUsage(cacheDir, mine))!;
  assert.equal(usage.sizeOnDisk, w1.length + w2.length);
  const theirs = new RepoCacheLayout(cacheDir, 'org/theirs').repoDir;
  assert.equal(await reposBytesOnDisk([usage.repoDir, theirs]), w1.length + w2.length, 'w1 counted once');

  const pruned = await pruneRepo({
    cacheDir,
    ...mine,
    keepRevisions: 1,
    currentCommit: c2,
    fetchedCommits: new Set([c2]),
    dryRun: false,
  });
  assert.deepEqual(pruned.removedSnapshots, [c1], 'no ref points at c1');
  assert.equal(pruned.freedBytes, 0, 'org/theirs still links to the w1 entry');
  assert.deepEqual(readFileSync(w1Entry), w1);
  assert.deepEqual(manifestLines(w1Entry), [`models--org--theirs/blobs/${sha256(w1)}`], 'manifest rewritten');
  assert.equal(existsSync(join(layout.repoDir, 'trees', `${c1}.json`)), false, "the pruned revision's listing goes");

  const purged = await purgeRepo(cacheDir, mine);
  assert.equal(purged.freedBytes, w2.length, 'the w2 entry only org/mine linked to is collected');
  assert.equal(existsSync(layout.repoDir), false);
  assert.equal(existsSync(w2Entry), false);
  assert.deepEqual(readFileSync(join(theirs, 'snapshots', t1, 'model.safetensors')), w1, 'org/theirs intact');

  // An entry no manifest line names is collected by `cache prune`; one without a manifest is kept.
  const orphan = join(dirname(w1Entry), `${dirname(w1Entry).split('/').pop()!}${'0'.repeat(62)}`);
  writeFileSync(orphan, 'orphan');
  writeFileSync(`${orphan}.refs`, 'models--org--gone/blobs/abc\n');
  const leaked = join(dirname(w1Entry), `${dirname(w1Entry).split('/').pop()!}${'1'.repeat(62)}`);
  writeFileSync(leaked, 'leaked, manifest missing');
  assert.deepEqual(await collectUnreferencedEntries(cacheDir, false), { entries: 1, freedBytes: 6 });
  assert.equal(existsSync(orphan), false);
  assert.equal(existsSync(leaked), true, 'a missing manifest is no proof: kept');
  assert.deepEqual(readFileSync(w1Entry), w1);
});

test('a prune leaves a revision another client fetched under a ref', async () => {
  const cacheDir = join(fx.cacheDir, 'tagged-cache');
  mkdirSync(cacheDir);
  const [old, current] = ['4'.repeat(40), '5'.repeat(40)];
  officialRepo(cacheDir, 'org/tagged', old, { 'a.bin': patternBytes(1000) }, false);
  officialRepo(cacheDir, 'org/tagged', current, { 'a.bin': patternBytes(1000) });
  const layout = new RepoCacheLayout(cacheDir, 'org/tagged');
  mkdirSync(join(layout.refsDir, 'tags'), { recursive: true });
  writeFileSync(join(layout.refsDir, 'v1'), old);
  const request = {
    cacheDir,
    repoId: 'org/tagged',
    repoType: 'model' as const,
    keepRevisions: 1,
    currentCommit: current,
  };
  const kept = await pruneRepo({ ...request, fetchedCommits: new Set([current]), dryRun: false });
  assert.deepEqual(kept.removedSnapshots, [], 'v1 was fetched by someone else, on purpose');
  assert.ok(existsSync(layout.snapshotDir(old)));
  const ours = await pruneRepo({ ...request, fetchedCommits: new Set([old, current]), dryRun: false });
  assert.deepEqual(ours.removedSnapshots, [old], 'once hfsched fetched it, it is superseded');
  assert.deepEqual(ours.removedRefs, ['v1']);
});

/**
 * huggingface_hub's publish_blob_to_shared_store, step by step, with filelock's
 * UnixFileLock calls (open O_RDWR|O_CREAT|O_TRUNC, flock LOCK_EX|LOCK_NB polled):
 * it takes the lock, says "locked", waits for a line on stdin, then makes the
 * temporary link, appends and fsyncs the manifest line, moves the blob into
 * the store if no usable entry is there, renames the link over the blob.
 */
const PYTHON_PUBLISH = `
import fcntl, os, stat, sys, time, uuid
cache, blob, entry, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fd = os.open(entry + ".lock", os.O_RDWR | os.O_TRUNC | os.O_CREAT, 0o666)
while True:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        break
    except BlockingIOError:
        time.sleep(0.05)
print("locked", flush=True)
sys.stdin.readline()
tmp = os.path.join(os.path.dirname(blob), ".%s.%s.shared" % (os.path.basename(blob), uuid.uuid4().hex[:8]))
os.symlink(os.path.relpath(entry, os.path.dirname(blob)), tmp)
try:
    usable = stat.S_ISREG(os.lstat(entry).st_mode) and os.lstat(entry).st_size == size
except FileNotFoundError:
    usable = False
m = os.open(entry + ".refs", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
os.write(m, (os.path.relpath(blob, cache) + "\\n").encode())
os.fsync(m)
os.close(m)
if not usable:
    os.chmod(blob, 0o400)
    os.replace(blob, entry)
os.replace(tmp, blob)
fcntl.flock(fd, fcntl.LOCK_UN)
os.close(fd)
print("published", flush=True)
`;

test('a concurrent publish of the same hash by a Python child (fcntl.flock, as filelock UnixFileLock) leaves one entry and two manifest lines', async (t) => {
  if (!python) return t.skip('python3 is not installed');
  const cacheDir = join(fx.cacheDir, 'race-cache');
  mkdirSync(cacheDir);
  assert.ok(ensureSharedStore(cacheDir));
  const bytes = patternBytes(120_000);
  const etag = sha256(bytes);
  const xet = createHash('sha256').update('race').digest('hex');
  const entry = storeEntryPath(cacheDir, xet);
  mkdirSync(dirname(entry), { recursive: true });
  const blobOf = (repoId: string): string => new RepoCacheLayout(cacheDir, repoId).blobPath(etag);
  for (const repoId of ['org/python', 'org/node']) {
    mkdirSync(dirname(blobOf(repoId)), { recursive: true });
    writeFileSync(blobOf(repoId), bytes);
  }
  const child = spawn('python3', ['-c', PYTHON_PUBLISH, cacheDir, blobOf('org/python'), entry, String(bytes.length)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdout.setEncoding('utf8');
  const lines = (async function* () {
    let buffered = '';
    for await (const chunk of child.stdout) {
      buffered += chunk as string;
      while (buffered.includes('\n')) {
        const at = buffered.indexOf('\n');
        yield buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
      }
    }
  })();
  assert.equal((await lines.next()).value, 'locked');
  // Ours tries the lock at once (it is held), then waits for it: both publish the same hash together.
  const ours = publishToStore({
    cacheDir,
    blobPath: blobOf('org/node'),
    xetHash: xet,
    size: bytes.length,
    sha256: etag,
  });
  child.stdin.write('go\n');
  assert.equal((await lines.next()).value, 'published');
  assert.equal(await ours, true);
  await lines.return(undefined);
  if (child.exitCode === null) await once(child, 'exit');
  assert.equal(child.exitCode, 0);

  assert.deepEqual(readdirSync(dirname(entry)).sort(), [xet, `${xet}.lock`, `${xet}.refs`], 'one entry');
  assert.deepEqual(manifestLines(entry), [`models--org--python/blobs/${etag}`, `models--org--node/blobs/${etag}`]);
  for (const repoId of ['org/python', 'org/node']) {
    assert.ok(lstatSync(blobOf(repoId)).isSymbolicLink(), `${repoId} links to the entry`);
    assert.deepEqual(readFileSync(blobOf(repoId)), bytes);
  }
});
