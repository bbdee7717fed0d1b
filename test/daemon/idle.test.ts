import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createDaemonFixture, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

/** `HH:MM` twelve hours from now, so that the daily schedule cannot fire during the test. */
function twelveHoursAway(): string {
  const at = new Date(Date.now() + 12 * 3600 * 1000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

const IDLE_SECONDS = 10;
// Its CPU use is measured by the benchmark (npm run bench: "idle daemon"), not
// here: CPU time on a shared machine running other tests is not a pass/fail fact.

describe('daemon: idle', () => {
  test('an idle daemon writes nothing to its database for 10 s, yet answers run-now within 2 s', async () => {
    fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'config.json': '{}' } }]);
    const f = fixture;
    f.db.store.schedules.create({ name: 'nightly', type: 'daily', time: twelveHoursAway() });
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg === 'schedule armed');
    await sleep(1500); // the first ticks after the start

    // data_version, read on a connection of our own, changes whenever another connection (the daemon) commits.
    const watcher = new Database(f.db.dbPath, { readonly: true });
    try {
      const version = (): number => watcher.pragma('data_version', { simple: true }) as number;
      const before = version();
      let commits = 0;
      const started = Date.now();
      while (Date.now() - started < IDLE_SECONDS * 1000) {
        await sleep(200);
        const now = version();
        if (now !== before + commits) commits = now - before;
      }
      assert.equal(commits, 0, `the idle daemon committed to the database ${commits} time(s) in ${IDLE_SECONDS} s`);
    } finally {
      watcher.close();
    }

    const runNow = await f.cli(['run-now']);
    assert.equal(runNow.code, 0, runNow.stderr);
    assert.match(runNow.stdout, /batch started: 1 model\(s\) queued/);
    const command = f.db.store.daemon.getCommand(1); // the database's first command
    assert.equal(command?.command, 'run-now');
    assert.ok(command.handledAt !== null, 'the run-now command is answered');
    const waitedMs = Date.parse(command.handledAt) - Date.parse(command.createdAt);
    assert.ok(waitedMs <= 2000, `the daemon took ${waitedMs} ms to see run-now`);
    await waitFor(() => f.model('org/alpha').status === 'completed', {
      timeoutMs: 10_000,
      what: 'the model completed',
    });
  });
});
