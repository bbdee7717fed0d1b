/**
 * `store.models`: the models to download, their options, their holds and the
 * records that keep them current and whole. Each method forwards to the
 * module of its topic (models.ts, model-keeping.ts, model-holds.ts,
 * status-views.ts), which validates, runs one short transaction and
 * translates SQLite's errors.
 */
import type Database from 'better-sqlite3';
import * as holds from './model-holds.js';
import * as keeping from './model-keeping.js';
import * as models from './models.js';
import * as views from './status-views.js';
import type { Model, ModelFile, ModelOptions, ModelStatus, NewModel, RepoType } from './types.js';

export class ModelStore {
  constructor(private readonly db: Database.Database) {}

  // The contract's operations

  /** A new `pending` model. IntegrityError: the name exists. ValidationError: not a repo id. */
  create(model: NewModel): Model {
    return models.createModel(this.db, model);
  }

  get(id: number): Model | null {
    return models.getModel(this.db, id);
  }

  /** The model with this repo id (with repoType 'dataset': the dataset), or null. */
  byName(name: string, repoType: RepoType = 'model'): Model | null {
    return models.getModelByName(this.db, name, repoType);
  }

  /**
   * Moves the model to `status` (and sets its download path when given).
   * false: no such model. StateTransitionError: illegal move. ValidationError: unknown status.
   */
  updateStatus(id: number, status: ModelStatus, change: { downloadPath?: string | null | undefined } = {}): boolean {
    return models.updateModelStatus(this.db, id, status, change);
  }

  byStatus(status: ModelStatus): Model[] {
    return models.getModelsByStatus(this.db, status);
  }

  // Listing, options, deletion, the scheduler's choice

  list(): Model[] {
    return models.listModels(this.db);
  }

  /** Sets the fields given; the others are kept. false: no such model. */
  updateOptions(id: number, options: ModelOptions): boolean {
    return models.updateModelOptions(this.db, id, options);
  }

  /** Deletes a model and its sessions. false: no such model. ConstraintError: it is downloading. */
  delete(id: number): boolean {
    return models.deleteModel(this.db, id);
  }

  /** pending, paused, and failed with last retry_count < maxRetries; oldest first. */
  eligible(maxRetries: number): Model[] {
    return models.eligibleModels(this.db, maxRetries);
  }

  /** How many models have each status (every status present). */
  countByStatus(): Record<ModelStatus, number> {
    return views.modelCountsByStatus(this.db);
  }

  // Keeping models current and whole (migration 007)

  /** Records a branch check (null error: it worked). false: no such model. */
  recordRevisionCheck(id: number, error: string | null): boolean {
    return keeping.recordRevisionCheck(this.db, id, error);
  }

  /** The files (with hashes) recorded when the current snapshot was downloaded. */
  files(id: number): ModelFile[] {
    return keeping.getModelFiles(this.db, id);
  }

  /** completed -> pending with the reason; the next run brings back what is missing. */
  markForRepair(id: number, reason: string): Model {
    return keeping.markModelForRepair(this.db, id, reason);
  }

  /** Completed models that follow a branch. */
  trackedCompleted(): Model[] {
    return keeping.trackedCompletedModels(this.db);
  }

  // Holds and the user's control of models (model-holds.ts)

  /** Ids of the models a user paused. */
  heldIds(): Set<number> {
    return holds.heldModelIds(this.db);
  }

  /** Paused and held, in one transaction; refused while it downloads. */
  pause(id: number, reason: string): Model {
    return holds.pauseModel(this.db, id, reason);
  }

  /** Held whatever its status (the daemon, before it stops the model's running download). */
  hold(id: number, reason: string): void {
    holds.holdModel(this.db, id, reason);
  }

  /** paused -> pending, and the hold removed. */
  resume(id: number): Model {
    return holds.resumeModel(this.db, id);
  }

  /** failed -> pending (its retry count starts again at 0), and any hold removed. */
  retry(id: number): Model {
    return holds.retryModel(this.db, id);
  }
}
