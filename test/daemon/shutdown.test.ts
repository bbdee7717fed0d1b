import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, randomContent, type DaemonFixture } from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

/** The limit systemd and docker give a stopping service before SIGKILL (docker's default). */
const STOP_LIMIT_MS = 10_000;

async function exitWithin<T>(exited: Promise<T>, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the daemon did not exit within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([exited, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('daemon: shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} pauses running downloads, records them, and exits 0 within the stop limit`, async () => {
      fixture = await createDaemonFixture([
        { id: 'org/one', files: { 'model.safetensors': randomContent(512 * 1024) } },
        { id: 'org/two', files: { 'model.safetensors': randomContent(512 * 1024) } },
      ]);
      const f = fixture;
      f.hub.addFault({ kind: 'throttle', bytesPerSecond: 16 * 1024 });
      f.addSchedule('*/2 * * * * *', 2);
      const daemon = f.startDaemon();
      await waitFor(
        () =>
          f.db.store.models
            .list()
            .every((model) => f.db.store.downloads.history(model.id, { limit: 1 })[0]?.status === 'in_progress'),
        { timeoutMs: 15_000, what: 'both downloads in progress' },
      );
      daemon.child.kill(signal);
      const exit = await exitWithin(daemon.exited, STOP_LIMIT_MS);
      assert.deepEqual(exit, { code: 0, signal: null });
      for (const model of f.db.store.models.list()) {
        assert.equal(model.status, 'paused', `${model.name} paused`);
        const [session] = f.db.store.downloads.history(model.id, { limit: 1 });
        assert.equal(session?.status, 'cancelled');
        assert.equal(session?.errorMessage, 'daemon stopped');
      }
      assert.equal(f.db.store.daemon.status(), null, 'the daemon unregistered');
      assert.equal(daemon.logs.at(-1)?.msg, 'daemon stopped', 'the last log line is written before the exit');
    });
  }

  test('a second daemon on the same database is refused with a clear error', async () => {
    fixture = await createDaemonFixture([]);
    const f = fixture;
    const daemon = f.startDaemon();
    await daemon.waitForLog((line) => line.msg === 'daemon started');
    const second = await f.cli(['daemon']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`another daemon \\(pid ${daemon.pid} on `));
    assert.equal(f.db.store.daemon.status()?.pid, daemon.pid, 'the first one stays registered');
  });
});
