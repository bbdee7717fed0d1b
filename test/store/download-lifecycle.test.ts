import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { INTERRUPTED_MESSAGE, type Model } from '../../src/store/index.js';
import { NotFoundError, StateTransitionError } from '../../src/errors.js';

describe('download lifecycle (worker transactions)', () => {
  let temp: TempDatabase;
  let model: Model;
  beforeEach(() => {
    temp = createTempDatabase();
    model = temp.store.models.create({ name: 'org/name' });
  });
  afterEach(() => temp.cleanup());

  test('beginning a download moves the model to downloading and opens a started session', () => {
    const schedule = temp.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' });
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: schedule.id });
    assert.deepEqual([session.status, session.scheduleId, session.retryCount], ['started', schedule.id, 0]);
    assert.equal(temp.store.models.get(model.id)?.status, 'downloading');
  });

  test('a model that is already downloading cannot begin again, and no session is opened', () => {
    temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    assert.throws(() => temp.store.downloads.begin({ modelId: model.id, scheduleId: null }), StateTransitionError);
    assert.equal(temp.store.downloads.history(model.id).length, 1);
  });

  test('beginning a download for a missing model or schedule changes nothing', () => {
    assert.throws(() => temp.store.downloads.begin({ modelId: model.id + 1, scheduleId: null }), NotFoundError);
    assert.throws(() => temp.store.downloads.begin({ modelId: model.id, scheduleId: 5 }), NotFoundError);
    assert.equal(temp.store.models.get(model.id)?.status, 'pending');
    assert.deepEqual(temp.store.downloads.history(model.id), []);
  });

  test('progress moves the session to in_progress and records bytes, total and metadata', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    assert.equal(
      temp.store.downloads.recordProgress(session.id, {
        bytesDownloaded: 100,
        totalBytes: 1000,
        metadata: { commit: 'abc' },
      }),
      true,
    );
    assert.equal(
      temp.store.downloads.recordProgress(session.id, {
        bytesDownloaded: 400,
        totalBytes: null,
        metadata: { files: 2 },
      }),
      true,
    );
    const updated = temp.store.downloads.getSession(session.id);
    assert.deepEqual(
      [updated?.status, updated?.bytesDownloaded, updated?.totalBytes, updated?.metadata],
      ['in_progress', 400, 1000, { commit: 'abc', files: 2 }],
    );
  });

  test('progress reported after a session ended is dropped and returns false', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.cancel(session.id, 'window closed');
    assert.equal(temp.store.downloads.recordProgress(session.id, { bytesDownloaded: 100, totalBytes: 1000 }), false);
    assert.equal(temp.store.downloads.getSession(session.id)?.bytesDownloaded, 0);
    assert.equal(temp.store.downloads.recordProgress(999, { bytesDownloaded: 1, totalBytes: 1 }), false);
  });

  test('completing a download ends the session and completes the model with its path and size', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.recordProgress(session.id, {
      bytesDownloaded: 10,
      totalBytes: 2048,
      metadata: { commit: 'abc' },
    });
    temp.store.downloads.complete(session.id, {
      downloadPath: '/cache/snapshots/abc',
      sizeBytes: 2048,
      metadata: { fetchedBytes: 2038 },
    });
    const ended = temp.store.downloads.getSession(session.id);
    assert.deepEqual(
      [ended?.status, ended?.bytesDownloaded, ended?.totalBytes, ended?.metadata],
      ['completed', 2048, 2048, { commit: 'abc', fetchedBytes: 2038 }],
    );
    assert.notEqual(ended?.completedAt, null);
    const completed = temp.store.models.get(model.id);
    assert.deepEqual(
      [completed?.status, completed?.downloadPath, completed?.sizeBytes],
      ['completed', '/cache/snapshots/abc', 2048],
    );
  });

  test('a failed download fails the session with its error and fails the model', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.fail(session.id, 'checksum mismatch for model.safetensors');
    const ended = temp.store.downloads.getSession(session.id);
    assert.deepEqual([ended?.status, ended?.errorMessage], ['failed', 'checksum mismatch for model.safetensors']);
    assert.notEqual(ended?.completedAt, null);
    assert.equal(temp.store.models.get(model.id)?.status, 'failed');
  });

  test('a cancelled download records the reason and pauses the model', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.cancel(session.id, 'download window closed at 06:00');
    const ended = temp.store.downloads.getSession(session.id);
    assert.deepEqual([ended?.status, ended?.errorMessage], ['cancelled', 'download window closed at 06:00']);
    assert.equal(temp.store.models.get(model.id)?.status, 'paused');
  });

  test('a session that has already ended cannot be ended again, and neither table changes', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.fail(session.id, 'first');
    assert.throws(
      () => temp.store.downloads.complete(session.id, { downloadPath: '/x', sizeBytes: 1 }),
      StateTransitionError,
    );
    assert.throws(() => temp.store.downloads.cancel(session.id, 'late'), StateTransitionError);
    assert.equal(temp.store.downloads.getSession(session.id)?.errorMessage, 'first');
    assert.equal(temp.store.models.get(model.id)?.status, 'failed');
  });

  test('ending a session whose model is no longer downloading changes neither table', () => {
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.models.updateStatus(model.id, 'paused');
    assert.throws(
      () => temp.store.downloads.fail(session.id, 'boom'),
      /model "org\/name" cannot go from paused to failed/,
    );
    assert.equal(temp.store.downloads.getSession(session.id)?.status, 'started');
    assert.equal(temp.store.models.get(model.id)?.status, 'paused');
  });

  test('ending a session that does not exist is a NotFoundError', () => {
    assert.throws(() => temp.store.downloads.fail(404, 'boom'), NotFoundError);
  });

  test('retry_count counts the failed attempts just before a session', () => {
    const counts: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
      counts.push(session.retryCount);
      temp.store.downloads.fail(session.id, `attempt ${attempt} failed`);
    }
    assert.deepEqual(counts, [0, 1, 2]);
  });

  test('retry_count starts again at 0 after the model is moved back to pending', () => {
    const first = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.fail(first.id, 'failed');
    temp.store.models.updateStatus(model.id, 'pending');
    assert.equal(temp.store.downloads.begin({ modelId: model.id, scheduleId: null }).retryCount, 0);
  });

  test('eligible models are pending, paused, and failed with retries left, oldest first', () => {
    const paused = temp.store.models.create({ name: 'org/paused' });
    const retriable = temp.store.models.create({ name: 'org/failed-once' });
    const exhausted = temp.store.models.create({ name: 'org/failed-often' });
    const completed = temp.store.models.create({ name: 'org/completed' });
    const downloading = temp.store.models.create({ name: 'org/downloading' });
    temp.store.models.updateStatus(paused.id, 'paused');
    temp.store.downloads.fail(temp.store.downloads.begin({ modelId: retriable.id, scheduleId: null }).id, 'failed');
    for (let attempt = 0; attempt < 3; attempt++) {
      temp.store.downloads.fail(temp.store.downloads.begin({ modelId: exhausted.id, scheduleId: null }).id, 'failed');
    }
    temp.store.downloads.complete(temp.store.downloads.begin({ modelId: completed.id, scheduleId: null }).id, {
      downloadPath: '/x',
      sizeBytes: 1,
    });
    temp.store.downloads.begin({ modelId: downloading.id, scheduleId: null });

    assert.deepEqual(
      temp.store.models.eligible(2).map((eligible) => eligible.name),
      ['org/name', 'org/paused', 'org/failed-once'],
    );
    assert.deepEqual(
      temp.store.models.eligible(3).map((eligible) => eligible.name),
      ['org/name', 'org/paused', 'org/failed-once', 'org/failed-often'],
    );
    assert.deepEqual(
      temp.store.models.eligible(0).map((eligible) => eligible.name),
      ['org/name', 'org/paused'],
    );
  });

  test('recovery after a crash fails open sessions as interrupted and pauses their models', () => {
    const other = temp.store.models.create({ name: 'org/other' });
    const done = temp.store.models.create({ name: 'org/done' });
    const started = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    const inProgress = temp.store.downloads.begin({ modelId: other.id, scheduleId: null });
    temp.store.downloads.recordProgress(inProgress.id, { bytesDownloaded: 10, totalBytes: 100 });
    const finished = temp.store.downloads.begin({ modelId: done.id, scheduleId: null });
    temp.store.downloads.complete(finished.id, { downloadPath: '/x', sizeBytes: 1 });

    const recovered = temp.store.downloads.recoverInterrupted();

    assert.deepEqual(
      recovered.map((session) => [session.id, session.status, session.errorMessage]),
      [
        [started.id, 'failed', INTERRUPTED_MESSAGE],
        [inProgress.id, 'failed', INTERRUPTED_MESSAGE],
      ],
    );
    assert.ok(recovered.every((session) => session.completedAt !== null));
    assert.equal(
      temp.store.downloads.getSession(inProgress.id)?.bytesDownloaded,
      10,
      'progress is kept for the resume',
    );
    assert.deepEqual(
      [model, other, done].map((each) => temp.store.models.get(each.id)?.status),
      ['paused', 'paused', 'completed'],
    );
    assert.deepEqual(temp.store.downloads.recoverInterrupted(), []);
  });

  test('recovery leaves alone a session that another live process still runs', () => {
    const other = temp.store.models.create({ name: 'org/other' });
    const crashed = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    const running = temp.store.downloads.begin({ modelId: other.id, scheduleId: null });

    const recovered = temp.store.downloads.recoverInterrupted((session) => session.id === running.id);

    assert.deepEqual(
      recovered.map((session) => session.id),
      [crashed.id],
    );
    assert.equal(temp.store.downloads.getSession(running.id)?.status, 'started');
    assert.deepEqual(
      [model, other].map((each) => temp.store.models.get(each.id)?.status),
      ['paused', 'downloading'],
    );
  });
});
