import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { NotFoundError, StateTransitionError, ValidationError, type SessionStatus } from '../../src/store/index.js';

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
    const session = temp.store.createDownloadSession(modelId, schedule.id);
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
    assert.equal(temp.store.createDownloadSession(modelId).scheduleId, null);
  });

  test('a session for a model or schedule that does not exist is refused', () => {
    assert.throws(
      () => temp.store.createDownloadSession(modelId + 1),
      (error: unknown) => error instanceof NotFoundError && /model \d+ not found/.test(error.message),
    );
    assert.throws(() => temp.store.createDownloadSession(modelId, 9), /schedule 9 not found/);
  });

  test('updating a session records progress and keeps what is not given', () => {
    const session = temp.store.createDownloadSession(modelId);
    assert.equal(temp.store.updateDownloadSession(session.id, 'in_progress', 100, 1000), true);
    assert.equal(temp.store.updateDownloadSession(session.id, 'in_progress', 500), true);
    const updated = temp.store.getDownloadSession(session.id);
    assert.deepEqual(
      [updated?.status, updated?.bytesDownloaded, updated?.totalBytes, updated?.completedAt],
      ['in_progress', 500, 1000, null],
    );
  });

  test('a session that ends gets its end time and error message', () => {
    const session = temp.store.createDownloadSession(modelId);
    temp.store.updateDownloadSession(session.id, 'in_progress', 10, 100);
    assert.equal(temp.store.updateDownloadSession(session.id, 'failed', null, null, 'HTTP 503 from the Hub'), true);
    const ended = temp.store.getDownloadSession(session.id);
    assert.equal(ended?.status, 'failed');
    assert.equal(ended?.errorMessage, 'HTTP 503 from the Hub');
    assert.match(ended?.completedAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  for (const end of ['completed', 'failed', 'cancelled'] as const) {
    test(`a started session can end directly as ${end}`, () => {
      const session = temp.store.createDownloadSession(modelId);
      assert.equal(temp.store.updateDownloadSession(session.id, end), true);
      assert.equal(temp.store.getDownloadSession(session.id)?.status, end);
    });

    test(`a ${end} session is never changed again`, () => {
      const session = temp.store.createDownloadSession(modelId);
      temp.store.updateDownloadSession(session.id, end, 5);
      const ended = temp.store.getDownloadSession(session.id);
      for (const status of ['started', 'in_progress', 'completed', 'failed', 'cancelled'] as SessionStatus[]) {
        assert.throws(
          () => temp.store.updateDownloadSession(session.id, status, 99),
          (error: unknown) => error instanceof StateTransitionError && /has already ended/.test(error.message),
        );
      }
      assert.deepEqual(temp.store.getDownloadSession(session.id), ended);
    });
  }

  test('an in-progress session cannot go back to started', () => {
    const session = temp.store.createDownloadSession(modelId);
    temp.store.updateDownloadSession(session.id, 'in_progress');
    assert.throws(() => temp.store.updateDownloadSession(session.id, 'started'), StateTransitionError);
  });

  test('updating a session that does not exist returns false', () => {
    assert.equal(temp.store.updateDownloadSession(77, 'in_progress'), false);
  });

  test('an unknown session status or a negative byte count is refused', () => {
    const session = temp.store.createDownloadSession(modelId);
    assert.throws(
      () => temp.store.updateDownloadSession(session.id, 'paused' as never),
      /invalid download session status "paused"/,
    );
    assert.throws(() => temp.store.updateDownloadSession(session.id, 'in_progress', -1), ValidationError);
  });

  test('the download history lists a model’s sessions, newest first, up to the limit', () => {
    const ids = [1, 2, 3, 4].map(() => {
      const session = temp.store.createDownloadSession(modelId);
      temp.store.updateDownloadSession(session.id, 'failed', null, null, 'boom');
      return session.id;
    });
    const other = temp.store.models.create({ name: 'org/other' });
    temp.store.createDownloadSession(other.id);
    assert.deepEqual(
      temp.store.getDownloadHistory(modelId).map((session) => session.id),
      [...ids].reverse(),
    );
    assert.deepEqual(
      temp.store.getDownloadHistory(modelId, 2).map((session) => session.id),
      [ids[3], ids[2]],
    );
    assert.deepEqual(temp.store.getDownloadHistory(other.id + 1), []);
    assert.throws(() => temp.store.getDownloadHistory(modelId, 0), ValidationError);
  });

  test('the download history holds at most 10 sessions by default', () => {
    for (let i = 0; i < 12; i++) temp.store.createDownloadSession(modelId);
    assert.equal(temp.store.getDownloadHistory(modelId).length, 10);
  });
});
