import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';
import { runChildrenTogether } from './fixtures/run-children.js';
import {
  initializeDatabase,
  latestSchemaVersion,
  migrateDatabase,
  openStore,
  schemaVersionOf,
} from '../../src/store/index.js';
import { ConnectionError, OperationalError } from '../../src/errors.js';
import { writeTransaction } from '../../src/store/transaction.js';

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('initializing and opening a database file', () => {
  test('initializing creates the file and its missing folders at the latest schema', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'state', 'hfsched', 'hfsched.db');
      assert.equal(initializeDatabase(dbPath), true);
      assert.ok(existsSync(dbPath));
      assert.equal(schemaVersionOf(dbPath), latestSchemaVersion());
    });
  });

  test('initializing twice changes nothing and keeps settings a user changed', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath, SETTING_DEFAULTS);
      const store = openStore(dbPath);
      store.config.set('download.max_retries', '9');
      store.models.create({ name: 'org/kept' });
      const settingsBefore = store.config.list().length;
      store.close();

      assert.equal(initializeDatabase(dbPath, SETTING_DEFAULTS), true);

      const reopened = openStore(dbPath);
      try {
        assert.equal(reopened.config.get('download.max_retries'), '9');
        assert.equal(reopened.config.list().length, settingsBefore);
        assert.equal(reopened.models.byName('org/kept')?.name, 'org/kept');
      } finally {
        reopened.close();
      }
    });
  });

  test('initializing seeds exactly the default settings it is given', () => {
    withTempDir((dir) => {
      const bare = join(dir, 'bare.db');
      initializeDatabase(bare);
      const seeded = join(dir, 'seeded.db');
      initializeDatabase(seeded, [{ key: 'log.level', value: 'warn', description: 'how much to log' }]);
      const bareStore = openStore(bare);
      const seededStore = openStore(seeded);
      try {
        assert.deepEqual(bareStore.config.list(), []);
        assert.deepEqual(
          seededStore.config.list().map((row) => [row.key, row.value, row.description]),
          [['log.level', 'warn', 'how much to log']],
        );
      } finally {
        bareStore.close();
        seededStore.close();
      }
    });
  });

  test('initializing brings an older database up to the latest schema', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      migrateDatabase(dbPath, 1);
      initializeDatabase(dbPath);
      assert.equal(schemaVersionOf(dbPath), latestSchemaVersion());
    });
  });

  test('initializing under a path whose folder cannot be created is a ConnectionError naming the folder', () => {
    withTempDir((dir) => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      const dbPath = join(file, 'sub', 'hfsched.db');
      assert.throws(
        () => initializeDatabase(dbPath),
        (error: unknown) =>
          error instanceof ConnectionError && error.message.startsWith(`cannot create the folder ${join(file, 'sub')}`),
      );
    });
  });

  test('opening a database that does not exist says to run hfsched init', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'missing-folder', 'hfsched.db');
      assert.throws(
        () => openStore(dbPath),
        (error: unknown) =>
          error instanceof ConnectionError && error.message === `no database at ${dbPath}; run "hfsched init"`,
      );
      assert.equal(existsSync(join(dir, 'missing-folder')), false, 'opening never creates anything');
    });
  });

  test('opening a database at an older schema says to run hfsched migrate', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      migrateDatabase(dbPath, 1);
      assert.throws(
        () => openStore(dbPath),
        (error: unknown) =>
          error instanceof OperationalError &&
          error.message ===
            `database ${dbPath} is at schema version 1, this hfsched needs ${latestSchemaVersion()}; run "hfsched migrate"`,
      );
    });
  });

  test('opening an empty file says to run hfsched init', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'empty.db');
      writeFileSync(dbPath, '');
      assert.throws(() => openStore(dbPath), /is not initialized; run "hfsched init"/);
    });
  });

  test('opening a file that is not a database is an OperationalError, not a raw SQLite error', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'notes.db');
      writeFileSync(dbPath, 'these are my notes, not a database, but long enough to have a header'.repeat(20));
      assert.throws(
        () => openStore(dbPath),
        (error: unknown) =>
          error instanceof OperationalError && /is corrupt or not an hfsched database/.test(error.message),
      );
    });
  });

  test('a closed store refuses further work with a ConnectionError', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      const store = openStore(dbPath);
      store.close();
      store.close();
      assert.equal(store.isOpen, false);
      assert.throws(
        () => store.models.list(),
        (error: unknown) => error instanceof ConnectionError && /is closed/.test(error.message),
      );
    });
  });
});

describe('closing on exit', () => {
  test('a process that exits without closing its store still closes the database cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hfsched-test-'));
    try {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      const [result] = await runChildrenTogether([['exit-without-close', dbPath]]);
      assert.equal(result?.code, 0, result?.stderr);
      assert.equal(existsSync(`${dbPath}-wal`), false, 'a cleanly closed WAL database leaves no -wal file');
      const store = openStore(dbPath);
      try {
        assert.notEqual(store.models.byName('org/written-before-exit'), null);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite errors seen from the store', () => {
  test('a write while another process holds the write lock waits, then is an OperationalError saying the database is locked', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      const other = new Database(dbPath);
      const store = openStore(dbPath, { busyTimeoutMs: 50 });
      try {
        other.exec('BEGIN IMMEDIATE');
        assert.throws(
          () => store.models.create({ name: 'org/name' }),
          (error: unknown) =>
            error instanceof OperationalError &&
            error.message.startsWith(`database ${dbPath} is locked by another process`),
        );
        other.exec('ROLLBACK');
        assert.equal(store.models.create({ name: 'org/name' }).name, 'org/name');
      } finally {
        store.close();
        other.close();
      }
    });
  });

  test('reading while another process writes is not blocked (WAL)', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      const other = new Database(dbPath);
      const store = openStore(dbPath, { busyTimeoutMs: 50 });
      try {
        other.exec("BEGIN IMMEDIATE; INSERT INTO models (name, status) VALUES ('org/uncommitted', 'pending')");
        assert.deepEqual(store.models.list(), []);
        other.exec('COMMIT');
        assert.equal(store.models.list().length, 1);
      } finally {
        store.close();
        other.close();
      }
    });
  });

  test('a write to a database opened read-only is an OperationalError saying it is read-only', () => {
    withTempDir((dir) => {
      const dbPath = join(dir, 'hfsched.db');
      initializeDatabase(dbPath);
      const readOnly = new Database(dbPath, { readonly: true });
      try {
        assert.throws(
          () =>
            writeTransaction(readOnly, () =>
              readOnly.prepare("INSERT INTO models (name, status) VALUES ('x', 'pending')").run(),
            ),
          (error: unknown) =>
            error instanceof OperationalError && error.message.startsWith(`database ${dbPath} is read-only`),
        );
      } finally {
        readOnly.close();
      }
    });
  });
});
