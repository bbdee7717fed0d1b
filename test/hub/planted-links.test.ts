/**
 * A shared cache is often group-writable, so a neighbour can plant links
 * (and hard links, FIFOs) where hfsched writes. Each test plants one, as a
 * hostile neighbour would, runs a real pull (or prune, purge) against the
 * test Hub, and checks that nothing outside the cache was written, created
 * or deleted, and that the refusal is one line naming the planted path.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConstraintError } from '../../src/errors.js';
import { pruneRepo, purgeRepo } from '../../src/hub/index.js';
import { bodyBytesFor, createHubFixture, patternBytes, type HubFixture } from './fixtures.js';

const MiB = 1024 * 1024;
/** Over the in-memory limit: fetched into `.incomplete`, under the lock. */
const weights = patternBytes((3 * MiB) / 2);
const sha = createHash('sha256').update(weights).digest('hex');
const PROFILE = "# the service user's own shell profile\nexport PATH=/usr/bin\n";

let fx: HubFixture;
/** Outside the cache: what a neighbour aims at (a home folder). */
let home: string;

beforeEach(async () => {
  fx = await createHubFixture([
    {
      id: 'org/model',
      revisions: {
        main: [
          { path: 'model.safetensors', content: weights },
          { path: 'authorized_keys', content: 'ssh-ed25519 AAAA attacker\n' },
          { path: 'sub/config.json', content: '{}' },
        ],
      },
    },
  ]);
  home = mkdtempSync(join(tmpdir(), 'hfsched-home-'));
});
afterEach(async () => {
  await fx.cleanup();
  rmSync(home, { recursive: true, force: true });
});

function repoDir(): string {
  return join(fx.cacheDir, 'models--org--model');
}

function commit(): string {
  return fx.hub.commitOf('org/model', 'main');
}

/** Every file and folder under `dir`, with its bytes for files: what a user would compare. */
function snapshotOf(dir: string): Record<string, string> {
  const seen: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const key = relative(dir, path);
      if (entry.isDirectory()) {
        seen[`${key}/`] = '';
        walk(path);
      } else if (entry.isSymbolicLink()) seen[key] = `-> ${readlinkSync(path)}`;
      else seen[key] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return seen;
}

/** The pull is refused with one line that names `path`, as a ConstraintError (exit 1 at the CLI). */
async function assertRefused(pull: Promise<unknown>, path: string): Promise<void> {
  await assert.rejects(pull, (error: unknown) => {
    assert.ok(error instanceof ConstraintError, `a refusal, not ${String(error)}`);
    assert.equal(error.message.includes('\n'), false, 'one line');
    assert.ok(error.message.includes(path), `the message names ${path}: ${error.message}`);
    return true;
  });
}

test('a blobs/{etag}.incomplete link to a read-only (0444) file outside is not written through, even as root', async () => {
  const target = join(home, 'readonly.bin');
  writeFileSync(target, 'precious');
  chmodSync(target, 0o444);
  mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
  const planted = join(repoDir(), 'blobs', `${sha}.incomplete`);
  symlinkSync(target, planted);

  await assertRefused(fx.pull('org/model'), planted);
  assert.equal(readFileSync(target, 'utf8'), 'precious');
  assert.equal(statSync(target).mode & 0o777, 0o444);
});

test('a blobs/{etag}.incomplete link to ~/.profile does not get the model appended, and once removed the pull completes', async () => {
  const profile = join(home, '.profile');
  writeFileSync(profile, PROFILE);
  mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
  const planted = join(repoDir(), 'blobs', `${sha}.incomplete`);
  symlinkSync(profile, planted);

  await assertRefused(fx.pull('org/model'), planted);
  assert.equal(readFileSync(profile, 'utf8'), PROFILE);

  rmSync(planted);
  const result = await fx.pull('org/model');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  assert.equal(readFileSync(profile, 'utf8'), PROFILE);
});

test('a blobs/{etag}.incomplete hard link to a file outside, or a FIFO, is refused (no write, no hang)', async () => {
  const profile = join(home, '.profile');
  writeFileSync(profile, PROFILE);
  mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
  const planted = join(repoDir(), 'blobs', `${sha}.incomplete`);
  linkSync(profile, planted);
  await assertRefused(fx.pull('org/model'), planted);
  assert.equal(readFileSync(profile, 'utf8'), PROFILE);

  rmSync(planted);
  execFileSync('mkfifo', [planted]);
  await assertRefused(fx.pull('org/model'), planted);
});

test('a lock file planted as a link is not followed: no file is created or locked outside', async () => {
  const locks = join(fx.cacheDir, '.locks', 'models--org--model');
  mkdirSync(locks, { recursive: true });
  const planted = join(locks, `${sha}.lock`);
  const wouldBeCreated = join(home, 'created-by-hfsched');
  symlinkSync(wouldBeCreated, planted);

  await assertRefused(fx.pull('org/model'), planted);
  assert.equal(existsSync(wouldBeCreated), false, 'nothing created outside the cache');
});

test('snapshots/{commit} planted as a link to ~/.ssh gets no authorized_keys: the repo file names never land outside', async () => {
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  mkdirSync(join(repoDir(), 'snapshots'), { recursive: true });
  const planted = join(repoDir(), 'snapshots', commit());
  symlinkSync(ssh, planted);

  await assertRefused(fx.pull('org/model'), planted);
  assert.deepEqual(readdirSync(ssh), [], 'nothing written into ~/.ssh');
});

test('a snapshot subfolder planted as a link is refused before any link is created in its target', async () => {
  const elsewhere = join(home, 'elsewhere');
  mkdirSync(elsewhere);
  const snapshot = join(repoDir(), 'snapshots', commit());
  mkdirSync(snapshot, { recursive: true });
  symlinkSync(elsewhere, join(snapshot, 'sub'));

  await assertRefused(fx.pull('org/model'), join(snapshot, 'sub'));
  assert.deepEqual(readdirSync(elsewhere), []);
});

test('the repo folder, blobs/ or refs/ planted as a link is refused, and the folder it points at stays as it was', async () => {
  for (const part of ['', 'blobs', 'refs']) {
    const target = join(home, `target-${part || 'repo'}`);
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'mine');
    rmSync(repoDir(), { recursive: true, force: true });
    if (part !== '') mkdirSync(repoDir());
    const planted = part === '' ? repoDir() : join(repoDir(), part);
    symlinkSync(target, planted);
    const before = snapshotOf(target);

    await assertRefused(fx.pull('org/model'), planted);
    assert.deepEqual(snapshotOf(target), before, `${part || 'the repo folder'}: nothing written into its target`);
    rmSync(planted);
  }
});

test('a blob planted as a link to a file outside is not trusted as cached, even at the right size', async () => {
  const outside = join(home, 'lookalike.bin');
  writeFileSync(outside, Buffer.alloc(weights.length, 7));
  mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
  const planted = join(repoDir(), 'blobs', sha);
  symlinkSync(outside, planted);

  await assertRefused(fx.pull('org/model'), planted);
});

test('a blob that is a relative link into the shared store blobs/{xx}/{xet hash} is the one link followed: it counts as cached', async () => {
  const xet = createHash('sha256').update('a xet hash stands here').digest('hex');
  const entry = join(fx.cacheDir, 'blobs', xet.slice(0, 2), xet);
  mkdirSync(join(fx.cacheDir, 'blobs', xet.slice(0, 2)), { recursive: true });
  writeFileSync(join(fx.cacheDir, 'blobs', '.huggingface-shared-blobs'), '1\n');
  writeFileSync(entry, weights);
  mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
  symlinkSync(relative(join(repoDir(), 'blobs'), entry), join(repoDir(), 'blobs', sha));

  const result = await fx.pull('org/model');
  assert.equal(bodyBytesFor(fx.hub, 'model.safetensors'), 0, 'no byte of the shared file fetched again');
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
});

test('prune does not delete through a planted snapshots/ link, and purge does not delete what a planted repo folder link points at', async () => {
  await fx.pull('org/model');
  const outside = join(home, 'projects');
  mkdirSync(join(outside, 'thesis'), { recursive: true });
  writeFileSync(join(outside, 'thesis', 'chapter1.tex'), 'years of work');
  const before = snapshotOf(outside);

  const snapshots = join(repoDir(), 'snapshots');
  rmSync(snapshots, { recursive: true });
  symlinkSync(outside, snapshots);
  const prune = pruneRepo({
    cacheDir: fx.cacheDir,
    repoId: 'org/model',
    repoType: 'model',
    keepRevisions: 1,
    currentCommit: commit(),
    fetchedCommits: new Set([commit()]),
    dryRun: false,
  });
  await assertRefused(prune, snapshots);
  assert.deepEqual(snapshotOf(outside), before, 'prune deleted nothing outside the cache');

  rmSync(repoDir(), { recursive: true });
  symlinkSync(outside, repoDir());
  await assert.rejects(
    purgeRepo(fx.cacheDir, { repoId: 'org/model', repoType: 'model' }),
    (error: unknown) => error instanceof ConstraintError && error.message.includes(repoDir()),
  );
  assert.deepEqual(snapshotOf(outside), before, 'purge deleted nothing outside the cache');
});
