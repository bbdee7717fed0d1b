import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { MODEL_STATUSES, type ModelStatus } from '../../src/store/index.js';
import { StateTransitionError } from '../../src/errors.js';

/** The README's table: rows are "from", the listed statuses are the legal "to". */
const LEGAL_MOVES: Record<ModelStatus, ModelStatus[]> = {
  pending: ['downloading', 'paused'],
  downloading: ['completed', 'failed', 'paused'],
  completed: ['pending', 'downloading'],
  failed: ['pending', 'downloading', 'paused'],
  paused: ['pending', 'downloading'],
};

describe('model state machine', () => {
  let temp: TempDatabase;
  before(() => {
    temp = createTempDatabase();
  });
  after(() => temp.cleanup());

  /** A new model put straight into `status` with SQL, so every row of the table can be tried. */
  function modelIn(status: ModelStatus, name: string): number {
    const model = temp.store.models.create({ name });
    temp.sql().prepare('UPDATE models SET status = ? WHERE id = ?').run(status, model.id);
    return model.id;
  }

  for (const from of MODEL_STATUSES) {
    for (const to of MODEL_STATUSES) {
      const legal = LEGAL_MOVES[from].includes(to);
      test(`a ${from} model ${legal ? 'can' : 'cannot'} become ${to}`, () => {
        const id = modelIn(from, `state/${from}-to-${to}`);
        if (legal) {
          assert.equal(temp.store.models.updateStatus(id, to), true);
          assert.equal(temp.store.models.get(id)?.status, to);
        } else {
          const before = temp.store.models.get(id);
          assert.throws(() => temp.store.models.updateStatus(id, to), StateTransitionError);
          assert.deepEqual(temp.store.models.get(id), before);
        }
      });
    }
  }
});
