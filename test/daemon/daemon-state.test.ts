import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSnapshot } from '../../src/store/index.js';
import { StateTransitionError, ValidationError } from '../../src/errors.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const EMPTY_SNAPSHOT: DaemonSnapshot = {
  scheduleId: null,
  nextRunAt: null,
  windowEndsAt: null,
  queue: [],
  running: [],
  httpUrl: null,
  rateLimitedUntil: null,
};

let db: TempDatabase;
beforeEach(() => {
  db = createTempDatabase();
});
afterEach(() => db.cleanup());

describe('daemon registration', () => {
  test('a second daemon is refused while the registered one is alive', () => {
    const first = db.store.daemon.claim({ pid: 1001, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(first, null);
    const blocking = db.store.daemon.claim({ pid: 1002, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(blocking?.pid, 1001);
    assert.equal(db.store.daemon.status()?.pid, 1001);
  });

  test('a dead daemon is replaced, and its heartbeat is then refused', () => {
    db.store.daemon.claim({ pid: 1001, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(
      db.store.daemon.claim({ pid: 1002, hostname: 'a', startedAt: new Date() }, () => false),
      null,
    );
    assert.equal(db.store.daemon.heartbeat(1001, EMPTY_SNAPSHOT), false);
    assert.equal(db.store.daemon.heartbeat(1002, EMPTY_SNAPSHOT), true);
  });

  test('the heartbeat publishes the queue, running downloads and times', () => {
    db.store.daemon.claim({ pid: 1001, hostname: 'a', startedAt: new Date() }, () => false);
    const next = new Date('2030-01-02T03:04:05.678Z');
    db.store.daemon.heartbeat(1001, {
      ...EMPTY_SNAPSHOT,
      nextRunAt: next,
      queue: [{ modelId: 7, model: 'org/q' }],
      running: [
        {
          modelId: 8,
          model: 'org/r',
          sessionId: null,
          bytesDone: 10,
          totalBytes: 20,
          bytesPerSecond: 5,
          startedAt: next.toISOString(),
        },
      ],
    });
    const status = db.store.daemon.status();
    assert.equal(status?.nextRunAt, next.toISOString());
    assert.deepEqual(status?.queue, [{ modelId: 7, model: 'org/q' }]);
    assert.equal(status?.running[0]?.bytesPerSecond, 5);
  });

  test('a clean stop removes the registration', () => {
    db.store.daemon.claim({ pid: 1001, hostname: 'a', startedAt: new Date() }, () => false);
    assert.equal(db.store.daemon.release(1002), false, 'not the registered pid');
    assert.equal(db.store.daemon.release(1001), true);
    assert.equal(db.store.daemon.status(), null);
  });
});

describe('daemon commands', () => {
  test('commands are handed out oldest first and answered once', () => {
    const model = db.store.models.create({ name: 'org/a' });
    const runNow = db.store.daemon.sendCommand('run-now', null);
    const pause = db.store.daemon.sendCommand('pause', model.id);
    assert.deepEqual(
      db.store.daemon.unhandledCommands().map((command) => command.id),
      [runNow.id, pause.id],
    );
    assert.equal(db.store.daemon.finishCommand(runNow.id, { status: 'ok', message: 'started' }), true);
    assert.equal(db.store.daemon.finishCommand(runNow.id, { status: 'error', message: 'again' }), false);
    assert.deepEqual(db.store.daemon.getCommand(runNow.id)?.answer, { status: 'ok', message: 'started' });
    assert.deepEqual(
      db.store.daemon.unhandledCommands().map((command) => command.id),
      [pause.id],
    );
  });

  test('run-now takes no model and a model command needs one', () => {
    const model = db.store.models.create({ name: 'org/a' });
    assert.throws(() => db.store.daemon.sendCommand('run-now', model.id), ValidationError);
    assert.throws(() => db.store.daemon.sendCommand('pause', null), ValidationError);
  });

  test('commands sent before a daemon started are expired, not executed', () => {
    const sent = db.store.daemon.sendCommand('run-now', null);
    assert.equal(db.store.daemon.expireCommands('too old'), 1);
    assert.deepEqual(db.store.daemon.unhandledCommands(), []);
    assert.deepEqual(db.store.daemon.getCommand(sent.id)?.answer, { status: 'error', message: 'too old' });
  });

  test('removing a model removes its holds and commands', () => {
    const model = db.store.models.create({ name: 'org/a' });
    db.store.daemon.sendCommand('pause', model.id);
    db.store.models.hold(model.id, 'paused by user');
    db.store.models.delete(model.id);
    assert.deepEqual(db.store.daemon.unhandledCommands(), []);
    assert.equal(db.store.models.heldIds().size, 0);
  });
});

describe('user control of models', () => {
  test('pausing a pending model makes it paused and held until resumed', () => {
    const model = db.store.models.create({ name: 'org/a' });
    assert.equal(db.store.models.pause(model.id, 'paused by user').status, 'paused');
    assert.deepEqual([...db.store.models.heldIds()], [model.id]);
    assert.equal(db.store.models.resume(model.id).status, 'pending');
    assert.equal(db.store.models.heldIds().size, 0);
  });

  test('pausing a downloading model is refused outside the daemon', () => {
    const model = db.store.models.create({ name: 'org/a' });
    db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    assert.throws(() => db.store.models.pause(model.id, 'paused by user'), StateTransitionError);
    assert.equal(db.store.models.get(model.id)?.status, 'downloading');
  });

  test('retrying a failed model makes it pending with a fresh retry count', () => {
    const model = db.store.models.create({ name: 'org/a' });
    const first = db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    db.store.downloads.fail(first.id, 'server said 500');
    const second = db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    db.store.downloads.fail(second.id, 'server said 500');
    assert.equal(db.store.downloads.getSession(second.id)?.retryCount, 1);
    assert.equal(db.store.models.retry(model.id).status, 'pending');
    assert.equal(db.store.downloads.begin({ modelId: model.id, scheduleId: null }).retryCount, 0);
  });

  test('resume and retry refuse a model in the wrong state and change nothing', () => {
    const model = db.store.models.create({ name: 'org/a' });
    assert.throws(() => db.store.models.resume(model.id), StateTransitionError);
    assert.throws(() => db.store.models.retry(model.id), StateTransitionError);
    assert.equal(db.store.models.get(model.id)?.status, 'pending');
  });
});
