/**
 * A model whose files alone are over `cache.max_bytes` could never fit: the
 * daemon fails it at once with the figures (it does not hold a download slot
 * waiting for ever), leaves it alone at the next firings, and `status` says
 * so until `hfsched model retry`.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pythonScanCorruptions } from '../support/official-scan.js';
import { createDaemonFixture, randomContent, type DaemonFixture } from './daemon-fixture.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('the daemon fails a model that can never fit cache.max_bytes, leaves it alone at the next firings, and status says so', async () => {
  fixture = await createDaemonFixture([
    { id: 'org/big', files: { 'model.safetensors': randomContent(3 * 1024 * 1024) } },
  ]);
  const f = fixture;
  f.db.store.config.set('cache.max_bytes', '1MiB');
  f.addSchedule('*/2 * * * * *');
  const daemon = f.startDaemon();
  const big = () => f.model('org/big');
  await daemon.waitForLog((line) => line.msg === 'download failed', 20_000, 'the refusal');
  assert.equal(big().status, 'failed');
  // Two more batches: the model is not taken again.
  let batches = daemon.logs.filter((line) => line.msg === 'batch finished').length;
  const target = batches + 2;
  while (batches < target) {
    await daemon.waitForLog(() => daemon.logs.filter((line) => line.msg === 'batch finished').length > batches, 20_000);
    batches = daemon.logs.filter((line) => line.msg === 'batch finished').length;
  }
  const sessions = f.db.store.downloads.history(big().id);
  assert.equal(sessions.length, 1, 'one refused attempt, not one per firing');
  assert.match(
    sessions[0]?.errorMessage ?? '',
    /^"org\/big" at main \(1 file\) needs 3\.0 MiB in the cache, more than cache\.max_bytes 1\.0 MiB .*it can never fit/,
  );
  assert.equal(existsSync(join(f.cacheDir, 'models--org--big')), false);
  assert.deepEqual(pythonScanCorruptions(f.cacheDir), []);

  const status = await f.cli(['status']);
  assert.match(
    status.stdout,
    /Held until hfsched model retry \(failed; the scheduler leaves them alone\):\n {2}org\/big: "org\/big" at main \(1 file\) needs 3\.0 MiB/,
  );
  const json = JSON.parse((await f.cli(['status', '--json'])).stdout) as { heldUntilRetry: { model: string }[] };
  assert.deepEqual(
    json.heldUntilRetry.map((held) => held.model),
    ['org/big'],
  );

  // Raised, and retried: it downloads.
  assert.equal((await f.cli(['config', 'set', 'cache.max_bytes', '8MiB'])).code, 0);
  assert.equal((await f.cli(['model', 'retry', 'org/big'])).code, 0);
  await daemon.waitForLog((line) => line.msg === 'download completed', 20_000, 'the download after the retry');
  assert.equal(big().status, 'completed');
});
