/**
 * Keeping a completed model current and whole (migration 007): the result of
 * each branch check, the files (and hashes) of the current snapshot, and the
 * move back to `pending` when `hfsched verify` finds damage.
 */
import type Database from 'better-sqlite3';
import { StateTransitionError } from '../errors.js';
import { selectModel } from './models.js';
import { SQL_NOW } from './sql-time.js';
import { mapModel, type ModelRow } from './row-mapping.js';
import { assertModelTransition } from './state-machines.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import type { FileHashKind, Model, ModelFile } from './types.js';
import { validateId } from './validation.js';

interface ModelFileRow {
  path: string;
  hash_kind: FileHashKind;
  hash: string;
  size: number;
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.trim().slice(0, 1000);
}

/** Records a branch check: when, and why it failed (null error: it worked). false: no such model. */
export function recordRevisionCheck(db: Database.Database, modelId: number, error: string | null): boolean {
  validateId(modelId, 'model');
  return writeTransaction(db, () => {
    const result = db
      .prepare(`UPDATE models SET last_checked_at = ${SQL_NOW}, last_check_error = ? WHERE id = ?`)
      .run(error === null ? null : oneLine(error), modelId);
    return result.changes > 0;
  });
}

/**
 * Replaces the recorded files of a model's current snapshot. Runs inside the
 * caller's transaction (the download's end), so files and commit never disagree.
 */
export function replaceModelFiles(db: Database.Database, modelId: number, files: readonly ModelFile[]): void {
  db.prepare('DELETE FROM model_files WHERE model_id = ?').run(modelId);
  const insert = db.prepare('INSERT INTO model_files (model_id, path, hash_kind, hash, size) VALUES (?, ?, ?, ?, ?)');
  for (const file of files) insert.run(modelId, file.path, file.hashKind, file.hash.toLowerCase(), file.size);
}

/** The files recorded for the model's current snapshot, by path. */
export function getModelFiles(db: Database.Database, modelId: number): ModelFile[] {
  validateId(modelId, 'model');
  return withStoreErrors(db, () =>
    (
      db
        .prepare('SELECT path, hash_kind, hash, size FROM model_files WHERE model_id = ? ORDER BY path')
        .all(modelId) as ModelFileRow[]
    ).map((row) => ({ path: row.path, hashKind: row.hash_kind, hash: row.hash, size: row.size })),
  );
}

/**
 * completed -> pending, with the reason (e.g. what verify found), so that the
 * next run brings back what is missing. StateTransitionError unless completed.
 */
export function markModelForRepair(db: Database.Database, modelId: number, reason: string): Model {
  validateId(modelId, 'model');
  return writeTransaction(db, () => {
    const model = selectModel(db, modelId);
    if (model === null) throw new StateTransitionError(`model ${modelId} no longer exists`);
    if (model.status !== 'completed') {
      throw new StateTransitionError(`model "${model.name}" is ${model.status}; only a completed model is repaired`);
    }
    assertModelTransition(model.name, model.status, 'pending');
    db.prepare("UPDATE models SET status = 'pending', status_reason = ? WHERE id = ?").run(oneLine(reason), modelId);
    return selectModel(db, modelId) as Model;
  });
}

/** Completed models that follow a branch: each firing checks them. Oldest first. */
export function trackedCompletedModels(db: Database.Database): Model[] {
  return withStoreErrors(db, () =>
    (
      db
        .prepare("SELECT * FROM models WHERE status = 'completed' AND tracking = 1 ORDER BY created_at, id")
        .all() as ModelRow[]
    ).map(mapModel),
  );
}
