import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimDaemonStatus,
  expireDaemonCommands,
  finishDaemonCommand,
  heldModelIds,
  holdModel,
  pauseModel,
  readDaemonStatus,
  releaseDaemonStatus,
  resumeModel,
  retryModel,
  sendDaemonCommand,
  StateTransitionError,
  unhandledDaemonCommands,
  ValidationError,
  writeDaemonHeartbeat,
  type DaemonSnapshot,
} from '../../src/store/index.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const EMPTY_SNAPSHOT: DaemonSnapshot = {
  scheduleId: null,
  nextRunAt: null,
  windowEndsAt: null,
  queue: [],
  running: [],
  httpUrl: null,
};

let db: TempDatabase;
beforeEach(() => {
  db = createTempDatabase();
});
afterEach(() => db.cleanup());

describe('daemon registration', () => {
  test('a second daemon is refused while the registered one is alive', () => {
    const first = claimDaemonStatus(db.store, { pid: 1001, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(first, null);
    const blocking = claimDaemonStatus(db.store, { pid: 1002, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(blocking?.pid, 1001);
    assert.equal(readDaemonStatus(db.store)?.pid, 1001);
  });

  test('a dead daemon is replaced, and its heartbeat is then refused', () => {
    claimDaemonStatus(db.store, { pid: 1001, hostname: 'a', startedAt: new Date() }, () => true);
    assert.equal(
      claimDaemonStatus(db.store, { pid: 1002, hostname: 'a', startedAt: new Date() }, () => false),
      null,
    );
    assert.equal(writeDaemonHeartbeat(db.store, 1001, EMPTY_SNAPSHOT), false);
    assert.equal(writeDaemonHeartbeat(db.store, 1002, EMPTY_SNAPSHOT), true);
  });

  test('the heartbeat publishes the queue, running downloads and times', () => {
    claimDaemonStatus(db.store, { pid: 1001, hostname: 'a', startedAt: new Date() }, () => false);
    const next = new Date('2030-01-02T03:04:05.678Z');
    writeDaemonHeartbeat(db.store, 1001, {
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
    const status = readDaemonStatus(db.store);
    assert.equal(status?.nextRunAt, next.toISOString());
    assert.deepEqual(status?.queue, [{ modelId: 7, model: 'org/q' }]);
    assert.equal(status?.running[0]?.bytesPerSecond, 5);
  });

  test('a clean stop removes the registration', () => {
    claimDaemonStatus(db.store, { pid: 1001, hostname: 'a', startedAt: new Date() }, () => false);
    assert.equal(releaseDaemonStatus(db.store, 1002), false, 'not the registered pid');
    assert.equal(releaseDaemonStatus(db.store, 1001), true);
    assert.equal(readDaemonStatus(db.store), null);
  });
});

describe('daemon commands', () => {
  test('commands are handed out oldest first and answered once', () => {
    const model = db.store.createModel('org/a');
    const runNow = sendDaemonCommand(db.store, 'run-now', null);
    const pause = sendDaemonCommand(db.store, 'pause', model.id);
    assert.deepEqual(
      unhandledDaemonCommands(db.store).map((command) => command.id),
      [runNow.id, pause.id],
    );
    assert.equal(finishDaemonCommand(db.store, runNow.id, 'ok: started'), true);
    assert.equal(finishDaemonCommand(db.store, runNow.id, 'ok: again'), false);
    assert.deepEqual(
      unhandledDaemonCommands(db.store).map((command) => command.id),
      [pause.id],
    );
  });

  test('run-now takes no model and a model command needs one', () => {
    const model = db.store.createModel('org/a');
    assert.throws(() => sendDaemonCommand(db.store, 'run-now', model.id), ValidationError);
    assert.throws(() => sendDaemonCommand(db.store, 'pause', null), ValidationError);
  });

  test('commands sent before a daemon started are expired, not executed', () => {
    sendDaemonCommand(db.store, 'run-now', null);
    assert.equal(expireDaemonCommands(db.store, 'error: too old'), 1);
    assert.deepEqual(unhandledDaemonCommands(db.store), []);
  });

  test('removing a model removes its holds and commands', () => {
    const model = db.store.createModel('org/a');
    sendDaemonCommand(db.store, 'pause', model.id);
    holdModel(db.store, model.id, 'paused by user');
    db.store.deleteModel(model.id);
    assert.deepEqual(unhandledDaemonCommands(db.store), []);
    assert.equal(heldModelIds(db.store).size, 0);
  });
});

describe('user control of models', () => {
  test('pausing a pending model makes it paused and held until resumed', () => {
    const model = db.store.createModel('org/a');
    assert.equal(pauseModel(db.store, model.id, 'paused by user').status, 'paused');
    assert.deepEqual([...heldModelIds(db.store)], [model.id]);
    assert.equal(resumeModel(db.store, model.id).status, 'pending');
    assert.equal(heldModelIds(db.store).size, 0);
  });

  test('pausing a downloading model is refused outside the daemon', () => {
    const model = db.store.createModel('org/a');
    db.store.beginDownload(model.id, null);
    assert.throws(() => pauseModel(db.store, model.id, 'paused by user'), StateTransitionError);
    assert.equal(db.store.getModel(model.id)?.status, 'downloading');
  });

  test('retrying a failed model makes it pending with a fresh retry count', () => {
    const model = db.store.createModel('org/a');
    const first = db.store.beginDownload(model.id, null);
    db.store.failDownload(first.id, 'server said 500');
    const second = db.store.beginDownload(model.id, null);
    db.store.failDownload(second.id, 'server said 500');
    assert.equal(db.store.getDownloadSession(second.id)?.retryCount, 1);
    assert.equal(retryModel(db.store, model.id).status, 'pending');
    assert.equal(db.store.beginDownload(model.id, null).retryCount, 0);
  });

  test('resume and retry refuse a model in the wrong state and change nothing', () => {
    const model = db.store.createModel('org/a');
    assert.throws(() => resumeModel(db.store, model.id), StateTransitionError);
    assert.throws(() => retryModel(db.store, model.id), StateTransitionError);
    assert.equal(db.store.getModel(model.id)?.status, 'pending');
  });
});
