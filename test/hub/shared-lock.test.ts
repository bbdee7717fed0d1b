/**
 * huggingface_hub guards each blob with filelock's FileLock on
 * `.locks/models--org--name/{etag}.lock`: flock(2) LOCK_EX on a file it leaves
 * on disk. These tests hold that lock from a real second process and check
 * that hfsched honours it, and that hfsched's own lock stops such a process.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireBlobLock } from '../../src/hub/cache/blob-lock.js';
import { bodyBytesFor, createHubFixture, patternBytes, type HubFixture } from './fixtures.js';
import { fileLockIsFree, holdFileLock } from '../support/file-lock-holder.js';

const SIZE = 3 * 1024 * 1024;
const weights = patternBytes(SIZE);
let fx: HubFixture;

beforeEach(async () => {
  fx = await createHubFixture([
    { id: 'org/model', revisions: { main: [{ path: 'model.safetensors', content: weights }] } },
  ]);
});
afterEach(() => fx.cleanup());

function lockPath(): string {
  const sha = fx.hub.fileInfo('org/model', 'main', 'model.safetensors').sha256;
  const dir = join(fx.cacheDir, '.locks', 'models--org--model');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${sha}.lock`);
}

test("a blob whose lock another process holds as huggingface_hub's FileLock does is not fetched until it is released", async () => {
  const path = lockPath();
  const holder = await holdFileLock(path);
  let finished = false;
  const pull = fx.pull('org/model').finally(() => (finished = true));
  await sleep(1000);
  assert.equal(bodyBytesFor(fx.hub, 'model.safetensors'), 0, 'no byte of the locked file fetched');
  assert.equal(finished, false);
  await holder.release();
  const result = await pull;
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  assert.equal(existsSync(path), true, 'the lock file stays on disk, as filelock leaves it');
});

const hasPython = spawnSync('python3', ['-c', 'import fcntl']).status === 0;

test(
  "a Python process holding the lock with filelock's own calls (os.open, fcntl.flock) keeps hfsched off the blob until it releases",
  { skip: hasPython ? false : 'python3 is not installed' },
  async () => {
    const holder = await holdFileLock(lockPath(), 'python3');
    const pull = fx.pull('org/model');
    await sleep(600);
    assert.equal(bodyBytesFor(fx.hub, 'model.safetensors'), 0);
    await holder.release();
    const result = await pull;
    assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  },
);

test('a lock holder that is killed releases its lock through the kernel, and the download goes on', async () => {
  const holder = await holdFileLock(lockPath());
  const pull = fx.pull('org/model');
  await sleep(300);
  holder.child.kill('SIGKILL');
  const result = await pull;
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
});

test("while hfsched downloads a blob, huggingface_hub's FileLock on it cannot be taken", async () => {
  fx.hub.addFault({ kind: 'throttle', bytesPerSecond: 2 * 1024 * 1024, pathContains: 'model.safetensors' });
  const path = lockPath();
  const pull = fx.pull('org/model');
  while (bodyBytesFor(fx.hub, 'model.safetensors') === 0) await sleep(20);
  assert.equal(await fileLockIsFree(path), false);
  await pull;
  assert.equal(await fileLockIsFree(path), true, 'released after the download');
});

test('a lock file holding our own pid (a restarted container) is not mistaken for a held lock', async () => {
  const path = lockPath();
  writeFileSync(path, `${process.pid}\n`);
  const lock = await acquireBlobLock(path);
  await lock.release();
  assert.equal(existsSync(path), true);
});

test('a wait for a held lock has a limit, and its error names the process that holds it', async () => {
  const path = lockPath();
  const holder = await holdFileLock(path);
  try {
    const heard: string[] = [];
    await assert.rejects(
      acquireBlobLock(path, undefined, undefined, { waitLimitMs: 300, onStillWaiting: (who) => heard.push(who) }),
      (error: Error) => error.message.includes(`pid ${holder.pid}`) && error.message.includes(path),
    );
    assert.ok(heard[0]?.includes(`pid ${holder.pid}`), `told who waits: ${heard.join()}`);
  } finally {
    await holder.release();
  }
});
