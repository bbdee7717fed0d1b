/**
 * `hfsched cache list|prune` and `model remove --purge` on a real cache, read
 * afterwards by Hugging Face's own JavaScript client (@huggingface/hub): its
 * scanner must find nothing to warn about, and its downloader must read every
 * kept file without the network.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unexpectedScanWarnings } from '../support/official-scan.js';
import { downloadFileToCacheDir, scanCacheDir } from '@huggingface/hub';
import type { PruneResult, RepoUsage } from '../../src/hub/index.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { holdFileLock } from '../support/file-lock-holder.js';
import { startHubServer, type HubFileSpec, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const shared = randomBytes(256 * 1024);
const oldWeights = randomBytes(128 * 1024);
const newWeights = randomBytes(192 * 1024);

function files(config: string, weights: Buffer): HubFileSpec[] {
  return [
    { path: 'config.json', content: config },
    { path: 'shared.safetensors', content: shared },
    { path: 'weights.safetensors', content: weights },
    { path: 'tokenizer/vocab.txt', content: 'a\nb\nc\n' },
  ];
}

describe('hfsched cache', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const cli = (...args: string[]) =>
    runCli(args, { dbPath: db.dbPath, env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir } });
  const modelDir = (): string => join(cacheDir, 'models--org--model');

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        { id: 'org/model', revisions: { main: files('{"v": 1}', oldWeights) } },
        { id: 'org/other', revisions: { main: [{ path: 'config.json', content: '{"other": true}' }] } },
      ],
    });
    db = createTempDatabase();
    cacheDir = join(db.dir, 'cache');
    db.store.config.set('download.min_free_bytes', '0');
    assert.equal((await cli('pull', 'org/model')).code, 0);
    // A repository hfsched does not manage (any more): prune must never touch it.
    assert.equal((await cli('pull', 'org/other')).code, 0);
    assert.equal((await cli('model', 'remove', 'org/other')).code, 0);
    hub.moveBranch('org/model', 'main', files('{"v": 2}', newWeights));
    assert.equal((await cli('pull', 'org/model')).code, 0);
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('cache list shows each managed repository with its size, revisions and refs, and the free space', async () => {
    const result = await cli('cache', 'list');
    assert.equal(result.code, 0, result.stderr);
    const second = hub.commitOf('org/model', 'main');
    const size = shared.length + oldWeights.length + newWeights.length + 8 + 8 + 6;
    assert.match(
      result.stdout,
      new RegExp(`^org/model\\s+completed\\s+[\\d.]+ KiB\\s+2\\s+main=${second.slice(0, 12)}$`, 'm'),
    );
    assert.match(result.stdout, /\nManaged: [\d.]+ KiB in .*; free on that disk: /);
    const listed = parseJsonOutput<{ repos: { model: string; usage: RepoUsage }[]; freeBytes: number }>(
      await cli('cache', 'list', '--json'),
    );
    assert.deepEqual(
      listed.repos.map((repo) => repo.model),
      ['org/model'],
      'only managed repositories',
    );
    assert.equal(listed.repos[0]!.usage.sizeOnDisk, size);
    assert.ok(listed.freeBytes > 0);
  });

  test('cache ls takes the words of hf cache ls: --filter, --sort, --revisions; a bad expression is exit 2', async () => {
    const second = hub.commitOf('org/model', 'main');
    const rows = parseJsonOutput<{ id: string; revision: string | null; sizeOnDisk: number; refs: string[] }[]>(
      await cli('cache', 'ls', '--revisions', '--sort', 'size', '--json'),
    );
    assert.deepEqual(
      rows.map((row) => [row.id, row.revision === second, row.refs]),
      [
        ['model/org/model', true, ['main']],
        ['model/org/model', false, []],
      ],
      'the newer revision (bigger weights) first, with its ref',
    );
    assert.ok(rows[0]!.sizeOnDisk > rows[1]!.sizeOnDisk);
    const filtered = await cli('cache', 'ls', '-f', 'type=model', '--filter', 'size>300KB', '--filter', 'accessed<7d');
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.match(filtered.stdout, /^ID\s+SIZE\s+LAST_ACCESSED \(\S+\)\s+LAST_MODIFIED \(\S+\)\s+REFS$/m);
    assert.match(filtered.stdout, /^model\/org\/model\s+/m);
    const none = await cli('cache', 'ls', '--filter', 'type=dataset');
    assert.match(none.stdout, /No cached repositories found\./);
    for (const bad of [
      ['--filter', 'size>>1GB'],
      ['--filter', 'colour=red'],
      ['--sort', 'weight'],
    ]) {
      const refused = await cli('cache', 'ls', ...bad);
      assert.equal(refused.code, 2, `${bad.join(' ')}: ${refused.stderr}`);
      assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
    }
  });

  test('cache rm TARGET... takes hf cache rm words: --dry-run, -y, a commit or a repo id; the current revision is refused', async () => {
    const second = hub.commitOf('org/model', 'main');
    const first = readdirSync(join(modelDir(), 'snapshots')).find((commit) => commit !== second)!;
    const dry = await cli('cache', 'rm', first, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /About to delete 1 revision\(s\) totalling 128(\.\d+)? KiB\./);
    assert.match(dry.stdout, /Dry run: no files were deleted\./);
    assert.ok(existsSync(join(modelDir(), 'snapshots', first)));

    const unasked = await cli('cache', 'rm', first);
    assert.equal(unasked.code, 1, 'no terminal to ask on');
    assert.match(unasked.stderr, /add -y/);
    const current = await cli('cache', 'rm', 'org/model', '-y');
    assert.equal(current.code, 1);
    assert.match(current.stderr, /hfsched model remove org\/model --purge/);
    assert.equal((await cli('cache', 'rm', 'not a target')).code, 2);
    const unknown = await cli('cache', 'rm', 'org/nope');
    assert.equal(unknown.code, 0);
    assert.match(
      unknown.stdout,
      /Could not find the following targets in the cache:\n {2}- org\/nope\nNothing to delete\./,
    );
    assert.ok(existsSync(join(modelDir(), 'snapshots', first)), 'nothing deleted so far');

    const removed = await cli('cache', 'rm', first, '-y');
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Deleted 1 revision\(s\); freed 128(\.\d+)? KiB\./);
    assert.deepEqual(readdirSync(join(modelDir(), 'snapshots')), [second]);
    assert.equal((await cli('verify', 'org/model')).code, 0, 'the current revision is whole');
  });

  test('cache prune keeps cache.keep_revisions snapshots; the official client then scans without warnings and reads every kept file offline', async () => {
    const first = readdirSync(join(modelDir(), 'snapshots')).find(
      (commit) => commit !== hub.commitOf('org/model', 'main'),
    )!;
    const second = hub.commitOf('org/model', 'main');
    assert.equal((await cli('config', 'set', 'cache.keep_revisions', '1')).code, 0);

    const dry = parseJsonOutput<{ results: PruneResult[] }>(await cli('cache', 'prune', '--dry-run', '--json'));
    assert.deepEqual(dry.results[0]!.removedSnapshots, [first]);
    assert.equal(dry.results[0]!.freedBytes, oldWeights.length + '{"v": 1}'.length);
    assert.ok(existsSync(join(modelDir(), 'snapshots', first)), 'a dry run removes nothing');

    const pruned = await cli('cache', 'prune');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^org\/model\s+[0-9a-f]{12}\s+-\s+2\s+128 KiB$/m);
    assert.match(pruned.stdout, /Freed 128 KiB\./);
    assert.deepEqual(readdirSync(join(modelDir(), 'snapshots')), [second]);
    assert.ok(existsSync(join(cacheDir, 'models--org--other', 'snapshots')), 'the unmanaged repository is untouched');

    const scan = await scanCacheDir(cacheDir);
    assert.deepEqual(unexpectedScanWarnings(scan), [], 'no warning but the shared store folder (official-scan.ts)');
    const model = scan.repos.find((repo) => repo.id.name === 'org/model')!;
    assert.deepEqual(
      model.revisions.map((revision) => revision.commitOid),
      [second],
    );
    // Its scanner counts a snapshot's top-level files only (see test/hub/official-client.test.ts).
    assert.equal(model.size, shared.length + newWeights.length + '{"v": 2}'.length);
    const offline: typeof fetch = () => Promise.reject(new Error('offline: no request may be sent'));
    for (const file of files('{"v": 2}', newWeights)) {
      const path = await downloadFileToCacheDir({
        repo: 'org/model',
        path: file.path,
        revision: second,
        cacheDir,
        fetch: offline,
      });
      assert.deepEqual(readFileSync(path), Buffer.from(file.content as Buffer | string), file.path);
    }
  });

  test('model remove --purge deletes the model and its folder, and nothing else (its lock files stay, as huggingface_hub leaves them)', async () => {
    const locks = join(cacheDir, '.locks', 'models--org--model');
    assert.ok(existsSync(locks), 'the download took its locks');
    const result = await cli('model', 'remove', '--purge', 'org/model');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /its download history and its files/);
    assert.equal(existsSync(modelDir()), false);
    assert.ok(existsSync(join(cacheDir, 'models--org--other')));
    assert.ok(existsSync(locks), 'a lock file another process may hold is never deleted');
    assert.deepEqual(db.store.models.list(), []);
  });

  test('model remove --purge leaves a blob whose lock huggingface_hub holds (filelock on .locks/…/{etag}.lock, in a Python child) with its .incomplete, and says so', async () => {
    // An official download in progress of a blob this repo does not have yet.
    const etag = 'ab'.repeat(32);
    const incomplete = join(modelDir(), 'blobs', `${etag}.incomplete`);
    writeFileSync(incomplete, 'partial bytes');
    const holder = await holdFileLock(join(cacheDir, '.locks', 'models--org--model', `${etag}.lock`), 'python3');
    try {
      const result = await cli('model', 'remove', '--purge', 'org/model');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout + result.stderr, /1 file\(s\) being downloaded by another process were left in /);
      assert.equal(readFileSync(incomplete, 'utf8'), 'partial bytes', 'the official download keeps its partial file');
      assert.deepEqual(readdirSync(join(modelDir(), 'blobs')), [`${etag}.incomplete`], 'every other blob is gone');
      assert.equal(existsSync(join(modelDir(), 'snapshots')), false);
    } finally {
      await holder.release();
    }
  });
});
