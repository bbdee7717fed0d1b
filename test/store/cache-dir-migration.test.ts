import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { migrateDatabase, openStore } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migration-files.js';
import { createTempDatabase } from '../support/temp-db.js';

const version = loadMigrations().find((migration) => migration.name === 'model_cache_dir')!.version;
const COMMIT = 'a'.repeat(40);

test('a model downloaded before gets its cache folder from its snapshot folder; one never downloaded gets none', () => {
  const temp = createTempDatabase();
  try {
    temp.store.close();
    migrateDatabase(temp.dbPath, version - 1);
    const db = new Database(temp.dbPath);
    const insert = db.prepare(
      "INSERT INTO models (name, repo_type, status, download_path, current_commit) VALUES (?, ?, 'completed', ?, ?)",
    );
    insert.run('org/model', 'model', `/srv/hf/hub/models--org--model/snapshots/${COMMIT}`, COMMIT);
    insert.run('org/data', 'dataset', `/data/cache/datasets--org--data/snapshots/${COMMIT}`, COMMIT);
    insert.run('org/odd', 'model', '/somewhere/else', COMMIT);
    db.prepare("INSERT INTO models (name, status) VALUES ('org/new', 'pending')").run();
    db.close();

    migrateDatabase(temp.dbPath, version);
    const store = openStore(temp.dbPath);
    try {
      assert.deepEqual(
        store.models.list().map((model) => [model.name, model.cacheDir]),
        [
          ['org/model', '/srv/hf/hub'],
          ['org/data', '/data/cache'],
          ['org/odd', null],
          ['org/new', null],
        ],
      );
    } finally {
      store.close();
    }
    migrateDatabase(temp.dbPath, version - 1);
  } finally {
    temp.cleanup();
  }
});
