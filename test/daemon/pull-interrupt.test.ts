import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH } from '../support/cli.js';
import { createDaemonFixture, randomContent, type DaemonFixture } from './daemon-fixture.js';
import { testEnvironment, waitFor } from './daemon-process.js';

const MiB = 1024 * 1024;
let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('Ctrl-C on pull while a daemon has a window open puts the model on hold: the daemon leaves it alone', async () => {
  fixture = await createDaemonFixture([]);
  const f = fixture;
  f.hub.addRepo({
    id: 'org/big',
    revisions: { main: [{ path: 'model.safetensors', content: randomContent(6 * MiB) }] },
  });
  f.addSchedule('0 0 1 1 *', 1, { windowMinutes: 60 });
  const daemon = f.startDaemon();
  await daemon.waitForLog((line) => line.msg === 'daemon started');
  assert.equal((await f.cli(['run-now'])).code, 0);

  f.hub.addFault({ kind: 'throttle', bytesPerSecond: 2 * MiB, pathContains: '.safetensors' });
  const child = spawn(process.execPath, [CLI_PATH, '--db', f.db.dbPath, 'pull', 'org/big'], {
    env: testEnvironment(f.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(
    () => f.hub.requests.filter((r) => r.host === 'cdn').reduce((sum, r) => sum + r.bodyBytesSent, 0) >= MiB,
    { timeoutMs: 20_000, what: 'the pull under way' },
  );
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(
    stderr,
    /It is on hold, as with hfsched model pause: a running daemon leaves it alone until hfsched model resume org\/big\./,
  );
  assert.equal(f.model('org/big').status, 'paused');
  assert.ok(f.db.store.models.heldIds().has(f.model('org/big').id));

  // The daemon looks at the database every second: three looks, and it has not restarted the download.
  await sleep(3000);
  assert.equal(f.model('org/big').status, 'paused');
  assert.equal(f.db.store.downloads.history(f.model('org/big').id).length, 1);

  f.hub.clearFaults();
  const again = await f.cli(['pull', 'org/big']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(f.model('org/big').status, 'completed');
  assert.ok(!f.db.store.models.heldIds().has(f.model('org/big').id), 'pulling it again releases the hold');
});
