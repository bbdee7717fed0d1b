/**
 * Holds of models a user paused (migration 004's `model_holds`), and the
 * user's pause, resume and retry of a model.
 */
import type Database from 'better-sqlite3';
import { NotFoundError, StateTransitionError } from '../errors.js';
import { selectModel } from './models.js';
import { assertModelTransition } from './state-machines.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import type { Model, ModelStatus } from './types.js';
import { validateId } from './validation.js';

/** Ids of the models a user paused; the scheduler leaves them alone until resumed. */
export function heldModelIds(db: Database.Database): Set<number> {
  return withStoreErrors(db, () => {
    const rows = db.prepare('SELECT model_id FROM model_holds').all() as { model_id: number }[];
    return new Set(rows.map((row) => row.model_id));
  });
}

function requireModel(db: Database.Database, modelId: number): Model {
  validateId(modelId, 'model');
  const model = selectModel(db, modelId);
  if (model === null) throw new NotFoundError(`model ${modelId} not found; list models with: hfsched model list`);
  return model;
}

function insertHold(db: Database.Database, modelId: number, reason: string): void {
  db.prepare(`INSERT OR REPLACE INTO model_holds (model_id, reason) VALUES (?, ?)`).run(modelId, reason);
}

function setModelStatus(db: Database.Database, model: Model, status: ModelStatus): void {
  assertModelTransition(model.name, model.status, status);
  db.prepare('UPDATE models SET status = ? WHERE id = ?').run(status, model.id);
}

/**
 * A user's pause of a model that is not downloading: it becomes `paused` and
 * held, in one transaction (already paused: only held). A downloading model
 * is refused: its download must be stopped first (`holdModel`, then the
 * daemon aborts it and the worker records the pause).
 */
export function pauseModel(db: Database.Database, modelId: number, reason: string): Model {
  return writeTransaction(db, () => {
    const model = requireModel(db, modelId);
    if (model.status === 'downloading') {
      throw new StateTransitionError(
        `model "${model.name}" is downloading, but not by a daemon that can stop it; if hfsched pull is downloading it, stop that with Ctrl-C`,
      );
    }
    if (model.status === 'completed') {
      throw new StateTransitionError(`model "${model.name}" is completed; there is nothing to pause`);
    }
    if (model.status !== 'paused') setModelStatus(db, model, 'paused');
    insertHold(db, modelId, reason);
    return selectModel(db, modelId) as Model;
  });
}

/** Holds a model whatever its status (the daemon, before it stops the model's running download). */
export function holdModel(db: Database.Database, modelId: number, reason: string): void {
  writeTransaction(db, () => {
    requireModel(db, modelId);
    insertHold(db, modelId, reason);
  });
}

/**
 * `from` -> pending and any hold removed, in one transaction. A retried
 * model's retry count starts again at 0 (store.downloads.begin counts from a failed model only).
 */
function returnToPending(
  db: Database.Database,
  modelId: number,
  from: 'paused' | 'failed',
  action: 'resumed' | 'retried',
): Model {
  return writeTransaction(db, () => {
    const model = requireModel(db, modelId);
    if (model.status !== from) {
      throw new StateTransitionError(
        `model "${model.name}" is ${model.status}, not ${from}; only a ${from} model can be ${action}`,
      );
    }
    setModelStatus(db, model, 'pending');
    db.prepare('DELETE FROM model_holds WHERE model_id = ?').run(modelId);
    return selectModel(db, modelId) as Model;
  });
}

/** paused -> pending and the hold removed. */
export function resumeModel(db: Database.Database, modelId: number): Model {
  return returnToPending(db, modelId, 'paused', 'resumed');
}

/** failed -> pending (its retry count starts again at 0) and any hold removed. */
export function retryModel(db: Database.Database, modelId: number): Model {
  return returnToPending(db, modelId, 'failed', 'retried');
}
