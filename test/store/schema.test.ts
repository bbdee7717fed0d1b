import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { latestSchemaVersion, migrateDatabase } from '../../src/store/index.js';

/** Raw SQL on a database file, the way another SQLite client would see it. */
function withRawConnection<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath);
  db.pragma('foreign_keys = ON');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function allTimes(): string[] {
  const times: string[] = [];
  for (let hour = 0; hour < 24; hour++) {
    for (let minute = 0; minute < 60; minute++) {
      times.push(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
    }
  }
  return times;
}

for (const version of [1, latestSchemaVersion()]) {
  describe(`schema at version ${version}`, () => {
    let temp: TempDatabase;
    before(() => {
      temp = createTempDatabase();
      temp.store.close();
      migrateDatabase(temp.dbPath, version);
    });
    after(() => temp.cleanup());

    test('the time check accepts every time from 00:00 to 23:59', () => {
      withRawConnection(temp.dbPath, (db) => {
        const insert = db.prepare(
          "INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('t', 'daily', ?, 0)",
        );
        db.transaction(() => {
          for (const time of allTimes()) insert.run(time);
        })();
        assert.equal((db.prepare('SELECT count(*) AS n FROM schedule_configurations').get() as { n: number }).n, 1440);
        db.exec('DELETE FROM schedule_configurations');
      });
    });

    test('the time check refuses what is not HH:MM from 00:00 to 23:59', () => {
      withRawConnection(temp.dbPath, (db) => {
        const insert = db.prepare(
          "INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('t', 'daily', ?, 0)",
        );
        for (const time of ['24:00', '7:00', '07:0', '12:60', '0700', '07:00:00', 'ab:cd', '1:5']) {
          assert.throws(() => insert.run(time), /CHECK constraint failed/, `expected ${time} to be refused`);
        }
      });
    });

    test('the database refuses a second enabled schedule', () => {
      withRawConnection(temp.dbPath, (db) => {
        db.exec(
          "INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('first', 'daily', '01:00', 1)",
        );
        assert.throws(
          () =>
            db.exec(
              "INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('second', 'daily', '02:00', 1)",
            ),
          /UNIQUE constraint failed/,
        );
        db.exec(
          "INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('third', 'daily', '03:00', 0)",
        );
        assert.throws(
          () => db.exec("UPDATE schedule_configurations SET enabled = 1 WHERE name = 'third'"),
          /UNIQUE constraint failed/,
        );
        db.exec('DELETE FROM schedule_configurations');
      });
    });

    test("the contract's four indexes exist", () => {
      withRawConnection(temp.dbPath, (db) => {
        const indexes = (
          db.prepare("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as {
            tbl_name: string;
            sql: string;
          }[]
        ).map((row) => row.sql.replace(/\s+/g, ' '));
        for (const expected of [
          /ON models\(status\)$/,
          /ON schedule_configurations\(enabled\)$/,
          /ON download_sessions\(status, model_id\)$/,
          /ON system_configurations\(key\)$/,
        ]) {
          assert.ok(
            indexes.some((sql) => expected.test(sql)),
            `missing index ${expected}`,
          );
        }
      });
    });

    test('updated_at changes on every update, even twice in the same millisecond', () => {
      withRawConnection(temp.dbPath, (db) => {
        db.exec("INSERT INTO models (name, status) VALUES ('org/updated', 'pending')");
        const read = db.prepare("SELECT updated_at FROM models WHERE name = 'org/updated'");
        const seen = [(read.get() as { updated_at: string }).updated_at];
        db.transaction(() => {
          for (let i = 0; i < 5; i++) {
            db.exec("UPDATE models SET size_bytes = 1 WHERE name = 'org/updated'");
            seen.push((read.get() as { updated_at: string }).updated_at);
          }
        })();
        for (let i = 1; i < seen.length; i++) {
          assert.ok((seen[i] as string) > (seen[i - 1] as string), `${seen[i]} should be after ${seen[i - 1]}`);
        }
        db.exec("DELETE FROM models WHERE name = 'org/updated'");
      });
    });

    test('updated_at of schedules and settings changes on update too', () => {
      withRawConnection(temp.dbPath, (db) => {
        db.exec("INSERT INTO schedule_configurations (name, type, time, enabled) VALUES ('s', 'daily', '01:00', 0)");
        db.exec("INSERT INTO system_configurations (key, value) VALUES ('test.key', 'a')");
        for (const table of ['schedule_configurations', 'system_configurations']) {
          const before = (
            db.prepare(`SELECT updated_at FROM ${table} ORDER BY id DESC LIMIT 1`).get() as { updated_at: string }
          ).updated_at;
          db.exec(`UPDATE ${table} SET created_at = created_at WHERE id = (SELECT MAX(id) FROM ${table})`);
          const after = (
            db.prepare(`SELECT updated_at FROM ${table} ORDER BY id DESC LIMIT 1`).get() as { updated_at: string }
          ).updated_at;
          assert.ok(after > before, `${table}: ${after} should be after ${before}`);
        }
        db.exec("DELETE FROM schedule_configurations; DELETE FROM system_configurations WHERE key = 'test.key'");
      });
    });

    test('a download session must belong to an existing model', () => {
      withRawConnection(temp.dbPath, (db) => {
        assert.throws(
          () => db.exec("INSERT INTO download_sessions (model_id, status) VALUES (999, 'started')"),
          /FOREIGN KEY constraint failed/,
        );
      });
    });
  });
}

describe('connection settings', () => {
  test('a store connection uses WAL, foreign keys, a busy timeout and synchronous NORMAL', () => {
    const temp = createTempDatabase();
    try {
      const db = temp.sql();
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 10_000);
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
    } finally {
      temp.cleanup();
    }
  });
});
