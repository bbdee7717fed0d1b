import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { ConstraintError, IntegrityError, StateTransitionError, ValidationError } from '../../src/store/index.js';

describe('models', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  test('a new model is pending, with its size, metadata and download options', () => {
    const model = temp.store.createModel(
      'meta-llama/Llama-3.1-8B',
      16_000_000_000,
      { family: 'llama' },
      {
        revision: 'v1.0',
        includePatterns: ['*.safetensors', '*.json'],
        excludePatterns: ['original/*'],
      },
    );
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
    const model = temp.store.createModel('gpt2');
    assert.deepEqual(
      [model.sizeBytes, model.metadata, model.revision, model.includePatterns, model.excludePatterns],
      [null, null, null, [], []],
    );
  });

  test('a duplicate model name is an IntegrityError naming the model', () => {
    temp.store.createModel('org/name');
    assert.throws(
      () => temp.store.createModel('org/name'),
      (error: unknown) => error instanceof IntegrityError && error.message === 'model "org/name" already exists',
    );
    assert.equal(temp.store.listModels().length, 1);
  });

  test('an invalid model name is a ValidationError and nothing is written', () => {
    for (const name of ['../x', '', 'a//b', 'has space']) {
      assert.throws(() => temp.store.createModel(name), ValidationError);
    }
    assert.deepEqual(temp.store.listModels(), []);
  });

  test('metadata must be a JSON object', () => {
    for (const metadata of [[1, 2], 'text', 3]) {
      assert.throws(() => temp.store.createModel('org/name', null, metadata as never), /expected a JSON object/);
    }
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    assert.throws(() => temp.store.createModel('org/name', null, cyclic), ValidationError);
  });

  test('a negative or fractional size is refused', () => {
    assert.throws(() => temp.store.createModel('org/name', -1), ValidationError);
    assert.throws(() => temp.store.createModel('org/name', 1.5), ValidationError);
  });

  test('getModel and getModelByName find a model, or return null', () => {
    const model = temp.store.createModel('org/name');
    assert.deepEqual(temp.store.getModel(model.id), model);
    assert.deepEqual(temp.store.getModelByName('org/name'), model);
    assert.equal(temp.store.getModel(model.id + 1), null);
    assert.equal(temp.store.getModelByName('org/other'), null);
    assert.equal(temp.store.getModelByName('not a repo id'), null);
  });

  test('updateModelStatus moves a model, sets its download path, and returns true', () => {
    const model = temp.store.createModel('org/name');
    assert.equal(temp.store.updateModelStatus(model.id, 'downloading'), true);
    assert.equal(temp.store.updateModelStatus(model.id, 'completed', '/cache/models--org--name/snapshots/abc'), true);
    const updated = temp.store.getModel(model.id);
    assert.equal(updated?.status, 'completed');
    assert.equal(updated?.downloadPath, '/cache/models--org--name/snapshots/abc');
    assert.ok((updated?.updatedAt ?? '') > model.updatedAt);
  });

  test('updateModelStatus keeps the download path when none is given', () => {
    const model = temp.store.createModel('org/name');
    temp.store.updateModelStatus(model.id, 'downloading');
    temp.store.updateModelStatus(model.id, 'completed', '/snapshot');
    temp.store.updateModelStatus(model.id, 'pending');
    assert.equal(temp.store.getModel(model.id)?.downloadPath, '/snapshot');
  });

  test('updateModelStatus returns false for a model that does not exist', () => {
    assert.equal(temp.store.updateModelStatus(42, 'downloading'), false);
  });

  test('updateModelStatus refuses an unknown status with a ValidationError', () => {
    const model = temp.store.createModel('org/name');
    assert.throws(
      () => temp.store.updateModelStatus(model.id, 'done' as never),
      /invalid model status "done": expected one of pending/,
    );
  });

  test('an illegal status move is a StateTransitionError and changes nothing', () => {
    const model = temp.store.createModel('org/name');
    assert.throws(
      () => temp.store.updateModelStatus(model.id, 'completed', '/x'),
      (error: unknown) =>
        error instanceof StateTransitionError &&
        error.message ===
          'model "org/name" cannot go from pending to completed; from pending it can go to downloading or paused',
    );
    assert.deepEqual(temp.store.getModel(model.id), model);
  });

  test('getModelsByStatus lists the models in one status', () => {
    const a = temp.store.createModel('org/a');
    const b = temp.store.createModel('org/b');
    temp.store.createModel('org/c');
    temp.store.updateModelStatus(a.id, 'paused');
    temp.store.updateModelStatus(b.id, 'paused');
    assert.deepEqual(
      temp.store.getModelsByStatus('paused').map((model) => model.name),
      ['org/a', 'org/b'],
    );
    assert.deepEqual(temp.store.getModelsByStatus('failed'), []);
    assert.throws(() => temp.store.getModelsByStatus('lost' as never), ValidationError);
  });

  test('listModels lists every model in creation order', () => {
    temp.store.createModel('org/b');
    temp.store.createModel('org/a');
    assert.deepEqual(
      temp.store.listModels().map((model) => model.name),
      ['org/b', 'org/a'],
    );
  });

  test('updateModelOptions changes the given options and keeps the others', () => {
    const model = temp.store.createModel('org/name', null, null, { revision: 'v1', includePatterns: ['*.json'] });
    assert.equal(temp.store.updateModelOptions(model.id, { excludePatterns: ['*.bin'] }), true);
    let updated = temp.store.getModel(model.id);
    assert.deepEqual(
      [updated?.revision, updated?.includePatterns, updated?.excludePatterns],
      ['v1', ['*.json'], ['*.bin']],
    );
    assert.equal(temp.store.updateModelOptions(model.id, { revision: null, includePatterns: [] }), true);
    updated = temp.store.getModel(model.id);
    assert.deepEqual([updated?.revision, updated?.includePatterns, updated?.excludePatterns], [null, [], ['*.bin']]);
  });

  test('updateModelOptions returns false for a missing model and refuses invalid options', () => {
    assert.equal(temp.store.updateModelOptions(42, { revision: 'main' }), false);
    const model = temp.store.createModel('org/name');
    assert.throws(() => temp.store.updateModelOptions(model.id, { revision: 'bad revision' }), ValidationError);
  });

  test('deleting a model deletes its download history too', () => {
    const model = temp.store.createModel('org/name');
    const session = temp.store.beginDownload(model.id, null);
    temp.store.failDownload(session.id, 'network down');
    assert.equal(temp.store.deleteModel(model.id), true);
    assert.equal(temp.store.getModel(model.id), null);
    assert.equal(temp.store.getDownloadSession(session.id), null);
    assert.equal(temp.store.deleteModel(model.id), false);
  });

  test('a downloading model cannot be deleted', () => {
    const model = temp.store.createModel('org/name');
    temp.store.beginDownload(model.id, null);
    assert.throws(
      () => temp.store.deleteModel(model.id),
      (error: unknown) => error instanceof ConstraintError && /model "org\/name" is downloading/.test(error.message),
    );
    assert.equal(temp.store.getModel(model.id)?.status, 'downloading');
  });
});
