import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { IntegrityError, StateTransitionError, ValidationError } from '../../src/errors.js';
import { latestSchemaVersion, migrateDatabase, openStore } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migration-files.js';
import { createTempDatabase } from '../support/temp-db.js';

const COMMIT = 'a'.repeat(40);
/** The schema version just before the migration that adds repo types (whatever its number after a merge). */
const BEFORE_REPO_TYPES = loadMigrations().find((migration) => migration.name === 'keep_repos')!.version - 1;

describe('models and datasets (migration keep_repos)', () => {
  test('a model and a dataset may share a name, but two datasets of one name may not', () => {
    const temp = createTempDatabase();
    try {
      const model = temp.store.models.create({ name: 'org/same' });
      const dataset = temp.store.models.create({ name: 'org/same', repoType: 'dataset' });
      assert.notEqual(model.id, dataset.id);
      assert.equal(temp.store.models.byName('org/same')?.id, model.id);
      assert.equal(temp.store.models.byName('org/same', 'dataset')?.id, dataset.id);
      assert.throws(
        () => temp.store.models.create({ name: 'org/same', repoType: 'dataset' }),
        (error: unknown) =>
          error instanceof IntegrityError && /dataset "datasets\/org\/same" already exists/.test(error.message),
      );
    } finally {
      temp.cleanup();
    }
  });

  test('a branch is tracked by default, a commit is pinned, and tracking a commit is refused', () => {
    const temp = createTempDatabase();
    try {
      assert.equal(temp.store.models.create({ name: 'org/branch' }).tracking, true);
      assert.equal(temp.store.models.create({ name: 'org/pinned', revision: COMMIT }).tracking, false);
      assert.throws(
        () => temp.store.models.create({ name: 'org/refused', revision: COMMIT, tracking: true }),
        ValidationError,
      );
      const pinned = temp.store.models.byName('org/pinned')!;
      assert.throws(() => temp.store.models.updateOptions(pinned.id, { tracking: true }), ValidationError);
      assert.equal(temp.store.models.get(pinned.id)!.tracking, false, 'nothing changed');
      assert.equal(temp.store.models.byName('org/refused'), null);
    } finally {
      temp.cleanup();
    }
  });

  test('a completed download records the commit and the files; a repair makes the model pending with its reason', () => {
    const temp = createTempDatabase();
    try {
      const model = temp.store.models.create({ name: 'org/kept' });
      const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
      temp.store.downloads.complete(session.id, {
        downloadPath: '/cache/models--org--kept/snapshots/' + COMMIT,
        sizeBytes: 10,
        commit: COMMIT,
        files: [
          { path: 'b.json', hashKind: 'gitsha1', hash: 'B'.repeat(40), size: 4 },
          { path: 'a.safetensors', hashKind: 'sha256', hash: 'c'.repeat(64), size: 6 },
        ],
      });
      const completed = temp.store.models.get(model.id)!;
      assert.equal(completed.currentCommit, COMMIT);
      assert.ok(completed.lastCheckedAt !== null, 'a download is also a check');
      assert.deepEqual(
        temp.store.models.files(model.id).map((file) => [file.path, file.hashKind, file.hash]),
        [
          ['a.safetensors', 'sha256', 'c'.repeat(64)],
          ['b.json', 'gitsha1', 'b'.repeat(40)],
        ],
      );
      const pending = temp.store.models.markForRepair(model.id, 'verify: 1 file damaged');
      assert.deepEqual([pending.status, pending.statusReason], ['pending', 'verify: 1 file damaged']);
      assert.throws(() => temp.store.models.markForRepair(model.id, 'again'), StateTransitionError);
      temp.store.models.delete(model.id);
      assert.deepEqual(temp.store.models.files(model.id), [], 'files go with their model');
    } finally {
      temp.cleanup();
    }
  });

  test('going below repo types keeps every model; a commit-pinned model comes back up pinned; a dataset blocks going down', () => {
    const temp = createTempDatabase();
    try {
      const branch = temp.store.models.create({ name: 'org/branch' });
      const pinned = temp.store.models.create({ name: 'org/pinned', revision: COMMIT });
      const dataset = temp.store.models.create({ name: 'org/data', repoType: 'dataset' });
      temp.store.close();
      assert.throws(() => migrateDatabase(temp.dbPath, BEFORE_REPO_TYPES), /datasets exist/);
      const raw = new Database(temp.dbPath);
      raw.prepare('DELETE FROM models WHERE id = ?').run(dataset.id);
      raw.close();
      migrateDatabase(temp.dbPath, BEFORE_REPO_TYPES);
      migrateDatabase(temp.dbPath, latestSchemaVersion());
      const store = openStore(temp.dbPath);
      try {
        assert.deepEqual(
          store.models.list().map((model) => [model.id, model.name, model.repoType, model.tracking]),
          [
            [branch.id, 'org/branch', 'model', true],
            [pinned.id, 'org/pinned', 'model', false],
          ],
        );
      } finally {
        store.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});
