import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import type { SessionStatus } from '../../src/store/index.js';
import { NotFoundError, StateTransitionError, ValidationError } from '../../src/errors.js';

describe('download sessions', () => {
  let temp: TempDatabase;
  let modelId: number;
  beforeEach(() => {
    temp = createTempDatabase();
    modelId = temp.store.models.create({ name: 'org/name' }).id;
  });
  afterEach(() => temp.cleanup());

  test('a new session is started, with nothing downloaded yet', () => {
    const schedule = temp.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' });
    const session = temp.store.downloads.createSession({ modelId, scheduleId: schedule.id });
    assert.deepEqual(
      [
        session.modelId,
        session.scheduleId,
        session.status,
        session.bytesDownloaded,
        session.totalBytes,
        session.completedAt,
        session.retryCount,
      ],
      [modelId, schedule.id, 'started', 0, null, null, 0],
    );
    assert.equal(temp.store.models.get(modelId)?.status, 'pending', 'the contract operation leaves the model alone');
  });

  test('a session may have no schedule (a download started by hand)', () => {
    assert.equal(temp.store.downloads.createSession({ modelId }).scheduleId, null);
  });

  test('a session for a model or schedule that does not exist is refused', () => {
    assert.throws(
      () => temp.store.downloads.createSession({ modelId: modelId + 1 }),
      (error: unknown) => error instanceof NotFoundError && /model \d+ not found/.test(error.message),
    );
    assert.throws(() => temp.store.downloads.createSession({ modelId, scheduleId: 9 }), /schedule 9 not found/);
  });

  test('updating a session records progress and keeps what is not given', () => {
    const session = temp.store.downloads.createSession({ modelId });
    assert.equal(
      temp.store.downloads.updateSession(session.id, { status: 'in_progress', bytesDownloaded: 100, totalBytes: 1000 }),
      true,
    );
    assert.equal(temp.store.downloads.updateSession(session.id, { status: 'in_progress', bytesDownloaded: 500 }), true);
    const updated = temp.store.downloads.getSession(session.id);
    assert.deepEqual(
      [updated?.status, updated?.bytesDownloaded, updated?.totalBytes, updated?.completedAt],
      ['in_progress', 500, 1000, null],
    );
  });

  test('a session that ends gets its end time and error message', () => {
    const session = temp.store.downloads.createSession({ modelId });
    temp.store.downloads.updateSession(session.id, { status: 'in_progress', bytesDownloaded: 10, totalBytes: 100 });
    assert.equal(
      temp.store.downloads.updateSession(session.id, {
        status: 'failed',
        bytesDownloaded: null,
        totalBytes: null,
        errorMessage: 'HTTP 503 from the Hub',
      }),
      true,
    );
    const ended = temp.store.downloads.getSession(session.id);
    assert.equal(ended?.status, 'failed');
    assert.equal(ended?.errorMessage, 'HTTP 503 from the Hub');
    assert.match(ended?.completedAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  for (const end of ['completed', 'failed', 'cancelled'] as const) {
    test(`a started session can end directly as ${end}`, () => {
      const session = temp.store.downloads.createSession({ modelId });
      assert.equal(temp.store.downloads.updateSession(session.id, { status: end }), true);
      assert.equal(temp.store.downloads.getSession(session.id)?.status, end);
    });

    test(`a ${end} session is never changed again`, () => {
      const session = temp.store.downloads.createSession({ modelId });
      temp.store.downloads.updateSession(session.id, { status: end, bytesDownloaded: 5 });
      const ended = temp.store.downloads.getSession(session.id);
      for (const status of ['started', 'in_progress', 'completed', 'failed', 'cancelled'] as SessionStatus[]) {
        assert.throws(
          () => temp.store.downloads.updateSession(session.id, { status, bytesDownloaded: 99 }),
          (error: unknown) => error instanceof StateTransitionError && /has already ended/.test(error.message),
        );
      }
      assert.deepEqual(temp.store.downloads.getSession(session.id), ended);
    });
  }

  test('an in-progress session cannot go back to started', () => {
    const session = temp.store.downloads.createSession({ modelId });
    temp.store.downloads.updateSession(session.id, { status: 'in_progress' });
    assert.throws(() => temp.store.downloads.updateSession(session.id, { status: 'started' }), StateTransitionError);
  });

  test('updating a session that does not exist returns false', () => {
    assert.equal(temp.store.downloads.updateSession(77, { status: 'in_progress' }), false);
  });

  test('an unknown session status or a negative byte count is refused', () => {
    const session = temp.store.downloads.createSession({ modelId });
    assert.throws(
      () => temp.store.downloads.updateSession(session.id, { status: 'paused' as never }),
      /invalid download session status "paused"/,
    );
    assert.throws(
      () => temp.store.downloads.updateSession(session.id, { status: 'in_progress', bytesDownloaded: -1 }),
      ValidationError,
    );
  });

  test('the download history lists a model’s sessions, newest first, up to the limit', () => {
    const ids = [1, 2, 3, 4].map(() => {
      const session = temp.store.downloads.createSession({ modelId });
      temp.store.downloads.updateSession(session.id, {
        status: 'failed',
        bytesDownloaded: null,
        totalBytes: null,
        errorMessage: 'boom',
      });
      return session.id;
    });
    const other = temp.store.models.create({ name: 'org/other' });
    temp.store.downloads.createSession({ modelId: other.id });
    assert.deepEqual(
      temp.store.downloads.history(modelId).map((session) => session.id),
      [...ids].reverse(),
    );
    assert.deepEqual(
      temp.store.downloads.history(modelId, { limit: 2 }).map((session) => session.id),
      [ids[3], ids[2]],
    );
    assert.deepEqual(temp.store.downloads.history(other.id + 1), []);
    assert.throws(() => temp.store.downloads.history(modelId, { limit: 0 }), ValidationError);
  });

  test('the download history holds at most 10 sessions by default', () => {
    for (let i = 0; i < 12; i++) temp.store.downloads.createSession({ modelId });
    assert.equal(temp.store.downloads.history(modelId).length, 10);
  });
});
