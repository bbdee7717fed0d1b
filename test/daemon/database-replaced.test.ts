/**
 * A database deleted or replaced under a running daemon: the daemon must
 * notice (within a heartbeat) and stop with a clear log line, rather than
 * write on into a file no one else sees while `init` makes a new one and a
 * second daemon registers beside it.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { createDaemonFixture, type DaemonFixture } from './daemon-fixture.js';
import type { DaemonProcess } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

async function startedDaemon(): Promise<{ f: DaemonFixture; daemon: DaemonProcess }> {
  fixture = await createDaemonFixture([]);
  const daemon = fixture.startDaemon();
  await daemon.waitForLog((line) => line.msg === 'daemon started');
  return { f: fixture, daemon };
}

/** The daemon exits 1 on its own, having said why in one log line. */
async function assertStopsSaying(daemon: DaemonProcess, pattern: RegExp): Promise<void> {
  const line = await daemon.waitForLog((entry) => pattern.test(entry.msg), 15_000, `a log line matching ${pattern}`);
  assert.match(line.msg, /stopping this daemon/);
  assert.deepEqual(await daemon.exited, { code: 1, signal: null });
}

describe('daemon: its database file deleted or replaced', () => {
  test('deleted: the daemon stops with a log line naming the file, and a new database then gets one daemon', async () => {
    const { f, daemon } = await startedDaemon();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${f.db.dbPath}${suffix}`, { force: true });
    await assertStopsSaying(daemon, new RegExp(`the database file ${f.db.dbPath} was deleted`));

    const init = await f.cli(['init']);
    assert.equal(init.code, 0, init.stderr);
    const second = f.startDaemon();
    await second.waitForLog((line) => line.msg === 'daemon started');
    const status = await f.cli(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`"pid":\\s*${second.pid}`));
  });

  test('replaced by another file (a restore from a copy): the daemon stops, saying so', async () => {
    const { f, daemon } = await startedDaemon();
    const copy = `${f.db.dbPath}.restored`;
    copyFileSync(f.db.dbPath, copy);
    renameSync(copy, f.db.dbPath);
    await assertStopsSaying(daemon, /was replaced by another file while it was open/);
  });
});
