/**
 * The batch's queue and window logic in one process: a real database, the
 * test Hub on loopback and real downloads, with the window's end on a fake
 * clock, so the test decides when the window closes instead of waiting for it.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pino } from 'pino';
import { Batch } from '../../src/daemon/batch.js';
import { createDaemonEvents, type DaemonEventMap, type DaemonEvents } from '../../src/daemon/events.js';
import { LiveConfig } from '../../src/daemon/live-config.js';
import { HubRuntime } from '../../src/hub/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

let db: TempDatabase;
let hub: HubServer;

beforeEach(async () => {
  db = createTempDatabase();
  hub = await startHubServer({
    repos: [
      {
        id: 'org/big',
        revisions: { main: [{ path: 'model.safetensors', content: Buffer.alloc(8 * 1024 * 1024, 7) }] },
      },
      { id: 'org/small', revisions: { main: [{ path: 'config.json', content: '{}' }] } },
    ],
  });
  db.store.config.set('hub.endpoint', hub.url);
  db.store.config.set('hub.cache_dir', join(db.dir, 'cache'));
  db.store.config.set('scheduler.timezone', 'UTC');
});
afterEach(async () => {
  await hub.close();
  db.cleanup();
});

/** The first event of `name` that `accept` takes, within 10 s. */
function nextEvent<K extends keyof DaemonEventMap>(
  events: DaemonEvents,
  name: K,
  accept: (...args: DaemonEventMap[K]) => boolean = () => true,
): Promise<DaemonEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(name)} event within 10 s`)), 10_000);
    const listener = (...args: DaemonEventMap[K]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      events.off(name, listener as never);
      resolve(args);
    };
    events.on(name, listener as never);
  });
}

describe('batch in one process, window on a fake clock', () => {
  test('the window closing stops the running download (paused, partial kept) and drops the waiting model', async () => {
    hub.addFault({ kind: 'throttle', bytesPerSecond: 512 * 1024, pathContains: 'model.safetensors' });
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00', windowEnd: '06:00' });
    const big = db.store.models.create({ name: 'org/big' });
    const small = db.store.models.create({ name: 'org/small' });
    const env = { HF_HOME: join(db.dir, 'hf-home') };
    const events = createDaemonEvents();
    const queued: string[] = [];
    events.on('model:queued', ({ model }) => queued.push(model));
    const clock = new FakeClock(new Date('2026-01-10T01:00:00Z'));
    const batch = new Batch({
      store: db.store,
      runtime: new HubRuntime(),
      logger: pino({ level: 'silent' }),
      config: LiveConfig.load(db.store, env),
      env,
      events,
      clock,
    });

    const receiving = nextEvent(events, 'download:bytes', ({ modelId, bytes }) => modelId === big.id && bytes > 0);
    assert.equal(batch.start(schedule.id, new Date('2026-01-10T06:00:00Z'), 'schedule'), 2);
    assert.deepEqual(queued, ['org/big', 'org/small'], 'oldest first');
    await receiving;
    assert.deepEqual(
      batch.queue.waitingModels().map((model) => model.name),
      ['org/small'],
      'one at a time: the second waits',
    );

    const ended = nextEvent(events, 'download:ended', ({ modelId }) => modelId === big.id);
    const closed = nextEvent(events, 'window:closed');
    clock.advanceTo(new Date('2026-01-10T06:00:00Z'));
    const [{ reason, stopped, dropped }] = await closed;
    assert.deepEqual([reason, stopped, dropped], ['window closed at 06:00 UTC', 1, ['org/small']]);
    const [{ outcome }] = await ended;
    assert.equal(outcome.status, 'paused');
    await batch.queue.settled();

    assert.equal(db.store.models.get(big.id)?.status, 'paused');
    const [session] = db.store.downloads.history(big.id);
    assert.deepEqual([session?.status, session?.errorMessage], ['cancelled', 'window closed at 06:00 UTC']);
    assert.ok((session?.bytesDownloaded ?? 0) < 8 * 1024 * 1024, 'stopped before the end');
    assert.equal(db.store.models.get(small.id)?.status, 'pending', 'the dropped model keeps its status');
    assert.deepEqual(db.store.downloads.history(small.id), [], 'and never started');
    assert.equal(batch.window.isOpen(), false);
  });

  test('a window without an end finishes with its batch, and a model added later waits for the next one', async () => {
    const schedule = db.store.schedules.create({
      name: 'nightly',
      type: 'daily',
      time: '01:00',
      maxConcurrentDownloads: 2,
    });
    db.store.models.create({ name: 'org/small' });
    const env = { HF_HOME: join(db.dir, 'hf-home') };
    const events = createDaemonEvents();
    const clock = new FakeClock(new Date('2026-01-10T01:00:00Z'));
    const batch = new Batch({
      store: db.store,
      runtime: new HubRuntime(),
      logger: pino({ level: 'silent' }),
      config: LiveConfig.load(db.store, env),
      env,
      events,
      clock,
    });
    const ended = nextEvent(events, 'download:ended');
    batch.start(schedule.id, null, 'schedule');
    const [{ outcome }] = await ended;
    assert.equal(outcome.status, 'completed');
    await batch.queue.settled();
    const finished = nextEvent(events, 'batch:finished');
    batch.finishIfIdle();
    await finished;
    assert.equal(batch.window.isOpen(), false);

    db.store.models.create({ name: 'org/big' });
    batch.queueNewcomers();
    assert.equal(batch.queue.has(db.store.models.byName('org/big')!.id), false, 'no window is open');
  });
});
