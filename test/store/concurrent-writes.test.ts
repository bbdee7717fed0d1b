import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTempDatabase } from '../support/temp-db.js';
import { runChildrenTogether } from './fixtures/run-children.js';

test('two processes writing 500 times each to the same database both succeed, with no SQLITE_BUSY', async () => {
  const temp = createTempDatabase();
  temp.store.close();
  try {
    const results = await runChildrenTogether([
      ['write', temp.dbPath, '500', 'writer-a'],
      ['write', temp.dbPath, '500', 'writer-b'],
    ]);
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /done/);
    }
    const db = new Database(temp.dbPath, { readonly: true });
    try {
      const counts = db
        .prepare(
          "SELECT substr(name, 1, 8) AS writer, count(*) AS n, sum(status = 'paused') AS paused FROM models GROUP BY writer ORDER BY writer",
        )
        .all();
      assert.deepEqual(counts, [
        { writer: 'writer-a', n: 500, paused: 500 },
        { writer: 'writer-b', n: 500, paused: 500 },
      ]);
    } finally {
      db.close();
    }
  } finally {
    temp.cleanup();
  }
});
