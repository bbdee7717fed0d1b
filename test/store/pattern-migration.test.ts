import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { latestSchemaVersion, migrateDatabase, openStore } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migration-files.js';
import { createTempDatabase } from '../support/temp-db.js';

const version = loadMigrations().find((migration) => migration.name === 'patterns_as_hf_download')!.version;

function storedPatterns(dbPath: string): Array<[string, string[], string[]]> {
  const db = new Database(dbPath);
  try {
    return (
      db.prepare('SELECT name, include_patterns, exclude_patterns FROM models ORDER BY id').all() as {
        name: string;
        include_patterns: string;
        exclude_patterns: string;
      }[]
    ).map((row) => [row.name, JSON.parse(row.include_patterns), JSON.parse(row.exclude_patterns)]);
  } finally {
    db.close();
  }
}

test('patterns stored before hf download matching keep selecting the files they did, and going down restores them', () => {
  const temp = createTempDatabase();
  try {
    temp.store.close();
    migrateDatabase(temp.dbPath, version - 1);
    const db = new Database(temp.dbPath);
    const insert = db.prepare(
      "INSERT INTO models (name, status, include_patterns, exclude_patterns) VALUES (?, 'pending', ?, ?)",
    );
    insert.run(
      'org/names',
      JSON.stringify(['config.json', '*.safetensors', 'tokenizer*']),
      JSON.stringify(['README.md']),
    );
    insert.run('org/folders', JSON.stringify(['onnx/', 'nested/*']), '[]');
    insert.run('org/all', '[]', '[]');
    db.close();
    const before = storedPatterns(temp.dbPath);

    migrateDatabase(temp.dbPath, version);
    assert.deepEqual(storedPatterns(temp.dbPath), [
      // A bare name matched in every folder with picomatch; its companion keeps that meaning under fnmatch.
      [
        'org/names',
        ['config.json', '*/config.json', '*.safetensors', 'tokenizer*', '*/tokenizer*'],
        ['README.md', '*/README.md'],
      ],
      ['org/folders', ['onnx/', 'nested/*'], []],
      ['org/all', [], []],
    ]);

    migrateDatabase(temp.dbPath, version - 1);
    assert.deepEqual(storedPatterns(temp.dbPath), before);
    migrateDatabase(temp.dbPath, latestSchemaVersion());
    const store = openStore(temp.dbPath);
    try {
      assert.deepEqual(store.models.byName('org/names')!.includePatterns.slice(0, 2), ['config.json', '*/config.json']);
    } finally {
      store.close();
    }
  } finally {
    temp.cleanup();
  }
});
