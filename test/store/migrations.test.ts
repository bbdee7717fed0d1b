import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { latestSchemaVersion, migrateDatabase, openStore, schemaVersionOf } from '../../src/store/index.js';
import { ConnectionError, DatabaseError, IntegrityError, OperationalError, ValidationError } from '../../src/errors.js';
import { loadMigrations, parseMigration } from '../../src/store/migration-files.js';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';
import { runChildrenTogether } from './fixtures/run-children.js';

function withRawConnection<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * Everything the schema defines, comparable across a table rebuild: SQLite
 * quotes a renamed table's name in its stored CREATE statement.
 */
function schemaSnapshot(dbPath: string): string[] {
  return withRawConnection(dbPath, (db) =>
    (
      db
        .prepare(
          `SELECT type, name, sql FROM sqlite_master
           WHERE sql IS NOT NULL AND name NOT IN ('schema_migrations', 'sqlite_sequence')
           ORDER BY type, name`,
        )
        .all() as { type: string; name: string; sql: string }[]
    ).map((row) => `${row.type} ${row.name}: ${row.sql.replace(/"/g, '').replace(/\s+/g, ' ')}`),
  );
}

function recordedVersions(dbPath: string): { version: number; name: string }[] {
  return withRawConnection(
    dbPath,
    (db) =>
      db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
        version: number;
        name: string;
      }[],
  );
}

describe('migrations', () => {
  let temp: TempDatabase;
  before(() => {
    temp = createTempDatabase();
    temp.store.close();
  });
  after(() => temp.cleanup());

  test('a new database is at the latest version, with every migration recorded', () => {
    const latest = latestSchemaVersion();
    assert.ok(latest >= 3);
    assert.equal(schemaVersionOf(temp.dbPath), latest);
    assert.deepEqual(
      recordedVersions(temp.dbPath),
      loadMigrations().map((migration) => ({ version: migration.version, name: migration.name })),
    );
  });

  test('every migration goes down and up again to exactly the same schema', () => {
    const latest = latestSchemaVersion();
    const snapshots = new Map<number, string[]>();
    migrateDatabase(temp.dbPath, 0);
    assert.equal(schemaVersionOf(temp.dbPath), 0);
    assert.deepEqual(schemaSnapshot(temp.dbPath), []);
    for (let version = 1; version <= latest; version++) {
      migrateDatabase(temp.dbPath, version);
      assert.equal(schemaVersionOf(temp.dbPath), version);
      snapshots.set(version, schemaSnapshot(temp.dbPath));
    }
    for (let version = latest - 1; version >= 0; version--) {
      migrateDatabase(temp.dbPath, version);
      assert.equal(schemaVersionOf(temp.dbPath), version);
      assert.deepEqual(
        schemaSnapshot(temp.dbPath),
        snapshots.get(version) ?? [],
        `schema after going down to ${version}`,
      );
    }
    migrateDatabase(temp.dbPath, latest);
    assert.deepEqual(schemaSnapshot(temp.dbPath), snapshots.get(latest));
    assert.equal(recordedVersions(temp.dbPath).length, latest);
  });

  test('migrating to the version a database is already at changes nothing', () => {
    const before = schemaSnapshot(temp.dbPath);
    assert.equal(migrateDatabase(temp.dbPath, latestSchemaVersion()), true);
    assert.deepEqual(schemaSnapshot(temp.dbPath), before);
  });

  test('a version that does not exist is refused', () => {
    for (const target of [-1, latestSchemaVersion() + 1, 1.5]) {
      assert.throws(() => migrateDatabase(temp.dbPath, target), ValidationError);
    }
    assert.equal(schemaVersionOf(temp.dbPath), latestSchemaVersion());
  });
});

describe('migration 002 (schedules: cron pattern and window)', () => {
  test('models, schedules and their sessions survive going down to version 1 and up again', () => {
    const temp = createTempDatabase();
    try {
      const model = temp.store.models.create({ name: 'org/kept' });
      const schedule = temp.store.schedules.create({
        name: 'nightly',
        type: 'weekly',
        time: '02:30',
        dayOfWeek: 0,
        maxConcurrentDownloads: 3,
      });
      const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: schedule.id });
      temp.store.close();

      migrateDatabase(temp.dbPath, 1);
      migrateDatabase(temp.dbPath, latestSchemaVersion());

      const store = openStore(temp.dbPath);
      try {
        assert.deepEqual(store.models.get(model.id)?.status, 'downloading');
        const kept = store.schedules.get(schedule.id);
        assert.deepEqual(
          [kept?.name, kept?.type, kept?.time, kept?.dayOfWeek, kept?.maxConcurrentDownloads, kept?.enabled],
          ['nightly', 'weekly', '02:30', 0, 3, true],
        );
        assert.equal(store.downloads.getSession(session.id)?.scheduleId, schedule.id);
        assert.deepEqual(temp.sql().pragma('foreign_key_check'), []);
      } finally {
        store.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  test('going down to version 1 fails while a custom schedule has no time, and version 2 stays intact', () => {
    const temp = createTempDatabase();
    try {
      const custom = temp.store.schedules.create({
        name: 'every six hours',
        type: 'custom',
        cronPattern: '0 */6 * * *',
      });
      temp.store.close();

      assert.throws(
        () => migrateDatabase(temp.dbPath, 1),
        (error: unknown) =>
          error instanceof IntegrityError &&
          /migration 002_schedule_cron_and_window\.sql \(down\) failed/.test(error.message) &&
          /custom schedules without a time exist/.test(error.message) &&
          /stays at schema version 2/.test(error.message),
      );
      assert.equal(schemaVersionOf(temp.dbPath), 2);
      withRawConnection(temp.dbPath, (db) => {
        const row = db.prepare('SELECT cron_pattern FROM schedule_configurations WHERE id = ?').get(custom.id) as {
          cron_pattern: string;
        };
        assert.equal(row.cron_pattern, '0 */6 * * *');
      });
    } finally {
      temp.cleanup();
    }
  });

  test('version 2 refuses a custom schedule without a cron pattern and a daily one without a time', () => {
    const temp = createTempDatabase();
    try {
      const db = temp.sql();
      assert.throws(
        () => db.exec("INSERT INTO schedule_configurations (name, type, enabled) VALUES ('c', 'custom', 0)"),
        /CHECK/,
      );
      assert.throws(
        () => db.exec("INSERT INTO schedule_configurations (name, type, enabled) VALUES ('d', 'daily', 0)"),
        /CHECK/,
      );
      assert.throws(
        () =>
          db.exec(
            "INSERT INTO schedule_configurations (name, type, time, window_end, window_minutes, enabled) VALUES ('w', 'daily', '01:00', '05:00', 60, 0)",
          ),
        /CHECK/,
      );
    } finally {
      temp.cleanup();
    }
  });
});

describe('migration 003 (models: revision and patterns)', () => {
  test('going down drops the revision and pattern columns and going up restores their defaults', () => {
    const temp = createTempDatabase();
    try {
      const model = temp.store.models.create({ name: 'org/pinned', revision: 'v1.0', includePatterns: ['*.json'] });
      temp.store.close();
      migrateDatabase(temp.dbPath, 2);
      const columns = withRawConnection(temp.dbPath, (db) =>
        (db.prepare("SELECT name FROM pragma_table_info('models')").all() as { name: string }[]).map((row) => row.name),
      );
      assert.deepEqual(columns, [
        'id',
        'name',
        'status',
        'size_bytes',
        'download_path',
        'created_at',
        'updated_at',
        'metadata',
      ]);
      migrateDatabase(temp.dbPath, latestSchemaVersion());
      const store = openStore(temp.dbPath);
      try {
        const restored = store.models.get(model.id);
        assert.deepEqual([restored?.revision, restored?.includePatterns, restored?.excludePatterns], [null, [], []]);
      } finally {
        store.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});

describe('migration daemon_command_status (daemon commands: a status column)', () => {
  const before = (loadMigrations().find((migration) => migration.name === 'daemon_command_status')?.version ?? 0) - 1;

  test('answers written as "ok: ..." / "error: ..." become a status and a message, and going down restores them', () => {
    const temp = createTempDatabase();
    try {
      const model = temp.store.models.create({ name: 'org/a' });
      temp.store.close();
      migrateDatabase(temp.dbPath, before);
      withRawConnection(temp.dbPath, (db) => {
        const insert = db.prepare(
          `INSERT INTO daemon_commands (command, model_id, handled_at, result) VALUES (?, ?, ?, ?)`,
        );
        insert.run('run-now', null, '2026-01-01 00:00:00.000', 'ok: batch started: 1 model(s) queued');
        insert.run('pause', model.id, '2026-01-01 00:00:01.000', 'error: model "org/a" is completed');
        insert.run('retry', model.id, null, null);
      });
      migrateDatabase(temp.dbPath, latestSchemaVersion());
      const store = openStore(temp.dbPath);
      try {
        assert.deepEqual(
          [1, 2, 3].map((id) => store.daemon.getCommand(id)?.answer),
          [
            { status: 'ok', message: 'batch started: 1 model(s) queued' },
            { status: 'error', message: 'model "org/a" is completed' },
            null,
          ],
        );
      } finally {
        store.close();
      }
      migrateDatabase(temp.dbPath, before);
      const results = withRawConnection(temp.dbPath, (db) =>
        (db.prepare('SELECT result FROM daemon_commands ORDER BY id').all() as { result: string | null }[]).map(
          (row) => row.result,
        ),
      );
      assert.deepEqual(results, ['ok: batch started: 1 model(s) queued', 'error: model "org/a" is completed', null]);
    } finally {
      temp.cleanup();
    }
  });

  test('a handled command without a status is refused by the schema', () => {
    const temp = createTempDatabase();
    try {
      const sent = temp.store.daemon.sendCommand('run-now', null);
      assert.throws(
        () =>
          temp
            .sql()
            .prepare(`UPDATE daemon_commands SET handled_at = '2026-01-01 00:00:00.000', result = 'x' WHERE id = ?`)
            .run(sent.id),
        /CHECK constraint failed/,
      );
    } finally {
      temp.cleanup();
    }
  });
});

describe('migration runner safety', () => {
  test('migrating a file that does not exist is refused with a hint to run init', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
    try {
      const dbPath = join(dir, 'missing.db');
      assert.throws(
        () => migrateDatabase(dbPath, 1),
        (error: unknown) =>
          error instanceof ConnectionError && error.message === `no database at ${dbPath}; run "hfsched init"`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a database written by a newer hfsched is neither migrated nor opened', () => {
    const temp = createTempDatabase();
    try {
      temp.store.close();
      withRawConnection(temp.dbPath, (db) =>
        db.exec("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')"),
      );
      assert.throws(
        () => migrateDatabase(temp.dbPath, 1),
        (error: unknown) =>
          error instanceof OperationalError && /schema version 99, newer than this hfsched knows/.test(error.message),
      );
      assert.throws(
        () => openStore(temp.dbPath),
        (error: unknown) => error instanceof OperationalError && /upgrade hfsched/.test(error.message),
      );
    } finally {
      temp.cleanup();
    }
  });

  test('two processes initializing the same new file at the same time both succeed, and it is migrated once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
    try {
      const dbPath = join(dir, 'nested', 'hfsched.db');
      const results = await runChildrenTogether([
        ['initialize', dbPath],
        ['initialize', dbPath],
      ]);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      assert.equal(schemaVersionOf(dbPath), latestSchemaVersion());
      assert.equal(recordedVersions(dbPath).length, latestSchemaVersion());
      const settings = withRawConnection(
        dbPath,
        (db) => (db.prepare('SELECT count(*) AS n FROM system_configurations').get() as { n: number }).n,
      );
      assert.equal(settings, SETTING_DEFAULTS.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration files', () => {
  test('a migration file is split into its up and down parts', () => {
    const migration = parseMigration(
      '007_add_thing.sql',
      '-- comment\n-- up\nCREATE TABLE t (x);\n-- down\nDROP TABLE t;\n',
    );
    assert.deepEqual(
      { version: migration.version, name: migration.name, up: migration.up.trim(), down: migration.down.trim() },
      { version: 7, name: 'add_thing', up: 'CREATE TABLE t (x);', down: 'DROP TABLE t;' },
    );
  });

  test('a migration file without a down part is refused', () => {
    assert.throws(
      () => parseMigration('001_x.sql', '-- up\nCREATE TABLE t (x);\n'),
      /needs a "-- up" line followed by a "-- down" line/,
    );
  });

  test('a gap in the migration numbers is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
    try {
      writeFileSync(join(dir, '001_a.sql'), '-- up\n-- down\n');
      writeFileSync(join(dir, '003_c.sql'), '-- up\n-- down\n');
      assert.throws(
        () => loadMigrations(dir),
        (error: unknown) => error instanceof DatabaseError && /without gaps/.test(error.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
