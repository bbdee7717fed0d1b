/**
 * The contract's model operations, plus listing, options (migration 003),
 * deletion and the scheduler's eligibility query.
 */
import type Database from 'better-sqlite3';
import { ConstraintError, IntegrityError } from '../errors.js';
import { mapModel, type ModelRow } from './row-mapping.js';
import { sqliteErrorCode } from './sqlite-errors.js';
import { assertModelTransition } from './state-machines.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import { validateRepoId } from '../repo-id.js';
import type { JsonObject, Model, ModelOptions, ModelStatus } from './types.js';
import {
  serializeMetadata,
  validateByteCount,
  validateCount,
  validateId,
  validateModelStatus,
  validatePatterns,
  validateRevision,
} from './validation.js';

interface ModelOptionColumns {
  revision?: string | null;
  include_patterns?: string;
  exclude_patterns?: string;
}

/** Validates options and turns them into column values; absent fields stay absent. */
function modelOptionColumns(options: ModelOptions): ModelOptionColumns {
  const columns: ModelOptionColumns = {};
  if (options.revision !== undefined) {
    columns.revision = options.revision === null ? null : validateRevision(options.revision);
  }
  if (options.includePatterns !== undefined) {
    columns.include_patterns = JSON.stringify(validatePatterns(options.includePatterns, 'include patterns'));
  }
  if (options.excludePatterns !== undefined) {
    columns.exclude_patterns = JSON.stringify(validatePatterns(options.excludePatterns, 'exclude patterns'));
  }
  return columns;
}

/** Reads one model inside the caller's transaction, or null. */
export function selectModel(db: Database.Database, id: number): Model | null {
  const row = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  return row === undefined ? null : mapModel(row);
}

/** A new `pending` model. IntegrityError if the name exists, ValidationError if it is not a repo id. */
export function createModel(
  db: Database.Database,
  name: string,
  sizeBytes?: number | null,
  metadata?: JsonObject | null,
  options: ModelOptions = {},
): Model {
  validateRepoId(name);
  const size = sizeBytes === undefined || sizeBytes === null ? null : validateByteCount(sizeBytes, 'model size');
  const metadataText = metadata === undefined || metadata === null ? null : serializeMetadata(metadata);
  const columns = modelOptionColumns(options);
  return writeTransaction(db, () => {
    try {
      const row = db
        .prepare(
          `INSERT INTO models (name, status, size_bytes, metadata, revision, include_patterns, exclude_patterns)
           VALUES (?, 'pending', ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          name,
          size,
          metadataText,
          columns.revision ?? null,
          columns.include_patterns ?? '[]',
          columns.exclude_patterns ?? '[]',
        ) as ModelRow;
      return mapModel(row);
    } catch (error) {
      if (sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new IntegrityError(`model "${name}" already exists`, { cause: error });
      }
      throw error;
    }
  });
}

export function getModel(db: Database.Database, id: number): Model | null {
  validateId(id, 'model');
  return withStoreErrors(db, () => selectModel(db, id));
}

export function getModelByName(db: Database.Database, name: string): Model | null {
  return withStoreErrors(db, () => {
    const row = db.prepare('SELECT * FROM models WHERE name = ?').get(name) as ModelRow | undefined;
    return row === undefined ? null : mapModel(row);
  });
}

/**
 * Moves a model to `status` (and sets `download_path` when given).
 * false: no such model. StateTransitionError: the state machine forbids the
 * move (nothing changes). ValidationError: not a model status.
 */
export function updateModelStatus(
  db: Database.Database,
  id: number,
  status: ModelStatus,
  downloadPath?: string | null,
): boolean {
  validateId(id, 'model');
  validateModelStatus(status);
  return writeTransaction(db, () => {
    const model = selectModel(db, id);
    if (model === null) return false;
    assertModelTransition(model.name, model.status, status);
    db.prepare('UPDATE models SET status = ?, download_path = COALESCE(?, download_path) WHERE id = ?').run(
      status,
      downloadPath ?? null,
      id,
    );
    return true;
  });
}

export function getModelsByStatus(db: Database.Database, status: ModelStatus): Model[] {
  validateModelStatus(status);
  return withStoreErrors(db, () =>
    (db.prepare('SELECT * FROM models WHERE status = ? ORDER BY id').all(status) as ModelRow[]).map(mapModel),
  );
}

export function listModels(db: Database.Database): Model[] {
  return withStoreErrors(db, () => (db.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[]).map(mapModel));
}

/** Sets revision and include/exclude patterns; fields left out are kept. false: no such model. */
export function updateModelOptions(db: Database.Database, id: number, options: ModelOptions): boolean {
  validateId(id, 'model');
  const columns = modelOptionColumns(options);
  const names = Object.keys(columns) as (keyof ModelOptionColumns)[];
  return writeTransaction(db, () => {
    if (selectModel(db, id) === null) return false;
    if (names.length === 0) return true;
    const assignments = names.map((column) => `${column} = @${column}`).join(', ');
    db.prepare(`UPDATE models SET ${assignments} WHERE id = @id`).run({ ...columns, id });
    return true;
  });
}

/**
 * Deletes a model and its download history. false: no such model.
 * ConstraintError while it is downloading (pause it first).
 */
export function deleteModel(db: Database.Database, id: number): boolean {
  validateId(id, 'model');
  return writeTransaction(db, () => {
    const model = selectModel(db, id);
    if (model === null) return false;
    if (model.status === 'downloading') {
      throw new ConstraintError(`model "${model.name}" is downloading; pause it or wait for it to end, then delete it`);
    }
    db.prepare('DELETE FROM download_sessions WHERE model_id = ?').run(id);
    db.prepare('DELETE FROM models WHERE id = ?').run(id);
    return true;
  });
}

/**
 * Models the scheduler may start, oldest first: pending, paused, and failed
 * ones whose last session's retry_count is below `maxRetries` (a failed model
 * with no session counts as 0).
 */
export function eligibleModels(db: Database.Database, maxRetries: number): Model[] {
  validateCount(maxRetries, 'maximum retries');
  return withStoreErrors(db, () =>
    (
      db
        .prepare(
          `SELECT m.* FROM models m
           WHERE m.status IN ('pending', 'paused')
              OR (m.status = 'failed' AND COALESCE(
                    (SELECT s.retry_count FROM download_sessions s WHERE s.model_id = m.id ORDER BY s.id DESC LIMIT 1),
                    0) < ?)
           ORDER BY m.created_at, m.id`,
        )
        .all(maxRetries) as ModelRow[]
    ).map(mapModel),
  );
}
