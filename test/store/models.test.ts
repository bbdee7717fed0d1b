import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { ConstraintError, IntegrityError, StateTransitionError, ValidationError } from '../../src/errors.js';

describe('models', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  test('a new model is pending, with its size, metadata and download options', () => {
    const model = temp.store.models.create({
      name: 'meta-llama/Llama-3.1-8B',
      sizeBytes: 16_000_000_000,
      metadata: { family: 'llama' },
      revision: 'v1.0',
      includePatterns: ['*.safetensors', '*.json'],
      excludePatterns: ['original/*'],
    });
    assert.equal(model.name, 'meta-llama/Llama-3.1-8B');
    assert.equal(model.status, 'pending');
    assert.equal(model.sizeBytes, 16_000_000_000);
    assert.equal(model.downloadPath, null);
    assert.deepEqual(model.metadata, { family: 'llama' });
    assert.equal(model.revision, 'v1.0');
    assert.deepEqual(model.includePatterns, ['*.safetensors', '*.json']);
    assert.deepEqual(model.excludePatterns, ['original/*']);
    assert.match(model.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(model.createdAt) - Date.now()) < 60_000, 'timestamps are UTC');
  });

  test('a model created with only a name has no size, no metadata, revision main and no patterns', () => {
    const model = temp.store.models.create({ name: 'gpt2' });
    assert.deepEqual(
      [model.sizeBytes, model.metadata, model.revision, model.includePatterns, model.excludePatterns],
      [null, null, null, [], []],
    );
  });

  test('a duplicate model name is an IntegrityError naming the model', () => {
    temp.store.models.create({ name: 'org/name' });
    assert.throws(
      () => temp.store.models.create({ name: 'org/name' }),
      (error: unknown) => error instanceof IntegrityError && error.message === 'model "org/name" already exists',
    );
    assert.equal(temp.store.models.list().length, 1);
  });

  test('an invalid model name is a ValidationError and nothing is written', () => {
    for (const name of ['../x', '', 'a//b', 'has space']) {
      assert.throws(() => temp.store.models.create({ name }), ValidationError);
    }
    assert.deepEqual(temp.store.models.list(), []);
  });

  test('metadata must be a JSON object', () => {
    for (const metadata of [[1, 2], 'text', 3]) {
      assert.throws(
        () => temp.store.models.create({ name: 'org/name', metadata: metadata as never }),
        /expected a JSON object/,
      );
    }
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    assert.throws(() => temp.store.models.create({ name: 'org/name', metadata: cyclic }), ValidationError);
  });

  test('a negative or fractional size is refused', () => {
    assert.throws(() => temp.store.models.create({ name: 'org/name', sizeBytes: -1 }), ValidationError);
    assert.throws(() => temp.store.models.create({ name: 'org/name', sizeBytes: 1.5 }), ValidationError);
  });

  test('models.get and models.byName find a model, or return null', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    assert.deepEqual(temp.store.models.get(model.id), model);
    assert.deepEqual(temp.store.models.byName('org/name'), model);
    assert.equal(temp.store.models.get(model.id + 1), null);
    assert.equal(temp.store.models.byName('org/other'), null);
    assert.equal(temp.store.models.byName('not a repo id'), null);
  });

  test('models.updateStatus moves a model, sets its download path, and returns true', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    assert.equal(temp.store.models.updateStatus(model.id, 'downloading'), true);
    assert.equal(
      temp.store.models.updateStatus(model.id, 'completed', { downloadPath: '/cache/models--org--name/snapshots/abc' }),
      true,
    );
    const updated = temp.store.models.get(model.id);
    assert.equal(updated?.status, 'completed');
    assert.equal(updated?.downloadPath, '/cache/models--org--name/snapshots/abc');
    assert.ok((updated?.updatedAt ?? '') > model.updatedAt);
  });

  test('models.updateStatus keeps the download path when none is given', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    temp.store.models.updateStatus(model.id, 'downloading');
    temp.store.models.updateStatus(model.id, 'completed', { downloadPath: '/snapshot' });
    temp.store.models.updateStatus(model.id, 'pending');
    assert.equal(temp.store.models.get(model.id)?.downloadPath, '/snapshot');
  });

  test('models.updateStatus returns false for a model that does not exist', () => {
    assert.equal(temp.store.models.updateStatus(42, 'downloading'), false);
  });

  test('models.updateStatus refuses an unknown status with a ValidationError', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    assert.throws(
      () => temp.store.models.updateStatus(model.id, 'done' as never),
      /invalid model status "done": expected one of pending/,
    );
  });

  test('an illegal status move is a StateTransitionError and changes nothing', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    assert.throws(
      () => temp.store.models.updateStatus(model.id, 'completed', { downloadPath: '/x' }),
      (error: unknown) =>
        error instanceof StateTransitionError &&
        error.message ===
          'model "org/name" cannot go from pending to completed; from pending it can go to downloading or paused',
    );
    assert.deepEqual(temp.store.models.get(model.id), model);
  });

  test('models.byStatus lists the models in one status', () => {
    const a = temp.store.models.create({ name: 'org/a' });
    const b = temp.store.models.create({ name: 'org/b' });
    temp.store.models.create({ name: 'org/c' });
    temp.store.models.updateStatus(a.id, 'paused');
    temp.store.models.updateStatus(b.id, 'paused');
    assert.deepEqual(
      temp.store.models.byStatus('paused').map((model) => model.name),
      ['org/a', 'org/b'],
    );
    assert.deepEqual(temp.store.models.byStatus('failed'), []);
    assert.throws(() => temp.store.models.byStatus('lost' as never), ValidationError);
  });

  test('models.list lists every model in creation order', () => {
    temp.store.models.create({ name: 'org/b' });
    temp.store.models.create({ name: 'org/a' });
    assert.deepEqual(
      temp.store.models.list().map((model) => model.name),
      ['org/b', 'org/a'],
    );
  });

  test('models.updateOptions changes the given options and keeps the others', () => {
    const model = temp.store.models.create({ name: 'org/name', revision: 'v1', includePatterns: ['*.json'] });
    assert.equal(temp.store.models.updateOptions(model.id, { excludePatterns: ['*.bin'] }), true);
    let updated = temp.store.models.get(model.id);
    assert.deepEqual(
      [updated?.revision, updated?.includePatterns, updated?.excludePatterns],
      ['v1', ['*.json'], ['*.bin']],
    );
    assert.equal(temp.store.models.updateOptions(model.id, { revision: null, includePatterns: [] }), true);
    updated = temp.store.models.get(model.id);
    assert.deepEqual([updated?.revision, updated?.includePatterns, updated?.excludePatterns], [null, [], ['*.bin']]);
  });

  test('models.updateOptions returns false for a missing model and refuses invalid options', () => {
    assert.equal(temp.store.models.updateOptions(42, { revision: 'main' }), false);
    const model = temp.store.models.create({ name: 'org/name' });
    assert.throws(() => temp.store.models.updateOptions(model.id, { revision: 'bad revision' }), ValidationError);
  });

  test('deleting a model deletes its download history too', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.fail(session.id, 'network down');
    assert.equal(temp.store.models.delete(model.id), true);
    assert.equal(temp.store.models.get(model.id), null);
    assert.equal(temp.store.downloads.getSession(session.id), null);
    assert.equal(temp.store.models.delete(model.id), false);
  });

  test('a downloading model cannot be deleted', () => {
    const model = temp.store.models.create({ name: 'org/name' });
    temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    assert.throws(
      () => temp.store.models.delete(model.id),
      (error: unknown) => error instanceof ConstraintError && /model "org\/name" is downloading/.test(error.message),
    );
    assert.equal(temp.store.models.get(model.id)?.status, 'downloading');
  });
});
