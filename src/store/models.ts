/**
 * The contract's model operations, plus listing, options (migration 003),
 * deletion and the scheduler's eligibility query.
 */
import type Database from 'better-sqlite3';
import { ConstraintError, IntegrityError, ValidationError } from '../errors.js';
import { mapModel, type ModelRow } from './row-mapping.js';
import { sqliteErrorCode } from './sqlite-errors.js';
import { assertModelTransition } from './state-machines.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import { validateRepoId } from '../repo-id.js';
import type { Model, ModelOptions, ModelStatus, NewModel, RepoType } from './types.js';
import {
  serializeMetadata,
  validateByteCount,
  validateCount,
  validateId,
  validateModelStatus,
  validatePatterns,
  validateRepoType,
  validateRevision,
} from './validation.js';
import { formatRepoReference } from './repo-reference.js';

/** Tracking a commit hash is refused; absent tracking follows the revision (a commit hash pins). */
function trackingFor(revision: string | null, requested: 0 | 1 | undefined, name: string): 0 | 1 {
  if (requested === 1 && isCommitRevision(revision)) {
    throw new ValidationError(
      `"${name}" is pinned to commit ${revision}; a commit never moves, so it cannot be tracked (use a branch as --revision)`,
    );
  }
  return requested ?? (isCommitRevision(revision) ? 0 : 1);
}

interface ModelOptionColumns {
  revision?: string | null;
  include_patterns?: string;
  exclude_patterns?: string;
  tracking?: 0 | 1;
}

/** A 40-hex commit never moves: a model pinned to one cannot track it. */
const COMMIT_HASH = /^[0-9a-f]{40}$/i;

function isCommitRevision(revision: string | null): boolean {
  return revision !== null && COMMIT_HASH.test(revision);
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
  if (options.tracking !== undefined) {
    if (typeof options.tracking !== 'boolean') throw new ValidationError('tracking must be true or false');
    columns.tracking = options.tracking ? 1 : 0;
  }
  return columns;
}

/** Reads one model inside the caller's transaction, or null. */
export function selectModel(db: Database.Database, id: number): Model | null {
  const row = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  return row === undefined ? null : mapModel(row);
}

/** A new `pending` model. IntegrityError if the name exists, ValidationError if it is not a repo id. */
export function createModel(db: Database.Database, model: NewModel): Model {
  const { name, sizeBytes, metadata, ...options } = model;
  validateRepoId(name);
  const repoType = options.repoType === undefined ? 'model' : validateRepoType(options.repoType);
  const size = sizeBytes === undefined || sizeBytes === null ? null : validateByteCount(sizeBytes, 'model size');
  const metadataText = metadata === undefined || metadata === null ? null : serializeMetadata(metadata);
  const columns = modelOptionColumns(options);
  const tracking = trackingFor(columns.revision ?? null, columns.tracking, name);
  return writeTransaction(db, () => {
    try {
      const row = db
        .prepare(
          `INSERT INTO models (name, status, size_bytes, metadata, revision, include_patterns, exclude_patterns, repo_type, tracking)
           VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          name,
          size,
          metadataText,
          columns.revision ?? null,
          columns.include_patterns ?? '[]',
          columns.exclude_patterns ?? '[]',
          repoType,
          tracking,
        ) as ModelRow;
      return mapModel(row);
    } catch (error) {
      if (sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new IntegrityError(`${repoType} "${formatRepoReference(repoType, name)}" already exists`, {
          cause: error,
        });
      }
      throw error;
    }
  });
}

export function getModel(db: Database.Database, id: number): Model | null {
  validateId(id, 'model');
  return withStoreErrors(db, () => selectModel(db, id));
}

/** The model (or, with repoType 'dataset', the dataset) of this repo id, or null. */
export function getModelByName(db: Database.Database, name: string, repoType: RepoType = 'model'): Model | null {
  return withStoreErrors(db, () => {
    const row = db.prepare('SELECT * FROM models WHERE name = ? AND repo_type = ?').get(name, repoType) as
      ModelRow | undefined;
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
  { downloadPath }: { downloadPath?: string | null | undefined } = {},
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

/**
 * Sets revision, include/exclude patterns and tracking; fields left out are
 * kept (the repo type never changes). false: no such model. ValidationError:
 * tracking a commit hash.
 */
export function updateModelOptions(db: Database.Database, id: number, options: ModelOptions): boolean {
  validateId(id, 'model');
  const columns = modelOptionColumns(options);
  return writeTransaction(db, () => {
    const model = selectModel(db, id);
    if (model === null) return false;
    const revision = columns.revision === undefined ? model.revision : columns.revision;
    // A new commit-hash revision pins the model; tracking is checked against the revision it will have.
    if (columns.tracking !== undefined || columns.revision !== undefined) {
      const requested = columns.tracking ?? (model.tracking && !isCommitRevision(revision) ? 1 : undefined);
      columns.tracking = trackingFor(revision, requested, model.name);
    }
    const names = Object.keys(columns) as (keyof ModelOptionColumns)[];
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
