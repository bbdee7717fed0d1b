import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { ValidationError } from '../../src/errors.js';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';

describe('system configuration', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  test('a new database holds every documented default setting', () => {
    const rows = temp.store.config.list();
    assert.deepEqual(
      rows.map((row) => [row.key, row.value, row.description]),
      [...SETTING_DEFAULTS]
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((setting) => [setting.key, setting.value, setting.description]),
    );
  });

  test('config.get returns the value, else the default given, else null', () => {
    assert.equal(temp.store.config.get('log.level'), 'info');
    assert.equal(temp.store.config.get('no.such.key', 'fallback'), 'fallback');
    assert.equal(temp.store.config.get('no.such.key'), null);
  });

  test('config.set creates a key and replaces its value later', () => {
    assert.equal(temp.store.config.set('custom.key', 'one', { description: 'A test key' }), true);
    assert.equal(temp.store.config.set('custom.key', 'two'), true);
    const row = temp.store.config.list().find((each) => each.key === 'custom.key');
    assert.deepEqual([row?.value, row?.description], ['two', 'A test key']);
    assert.ok((row?.updatedAt ?? '') >= (row?.createdAt ?? ''));
  });

  test('setting a value changes its updated_at', () => {
    const before = temp.store.config.list().find((each) => each.key === 'log.level');
    temp.store.config.set('log.level', 'debug');
    const after = temp.store.config.list().find((each) => each.key === 'log.level');
    assert.equal(after?.value, 'debug');
    assert.ok((after?.updatedAt ?? '') > (before?.updatedAt ?? ''));
  });

  test('an empty key or a value that is not text is refused', () => {
    assert.throws(() => temp.store.config.set('', 'x'), ValidationError);
    assert.throws(() => temp.store.config.set('has space', 'x'), ValidationError);
    assert.throws(() => temp.store.config.set('download.max_retries', 5 as never), /expected text/);
  });
});
