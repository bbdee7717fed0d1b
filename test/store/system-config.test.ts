import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { ValidationError } from '../../src/store/index.js';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';

describe('system configuration', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  test('a new database holds every documented default setting', () => {
    const rows = temp.store.listSystemConfig();
    assert.deepEqual(
      rows.map((row) => [row.key, row.value, row.description]),
      [...SETTING_DEFAULTS]
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((setting) => [setting.key, setting.value, setting.description]),
    );
  });

  test('getSystemConfig returns the value, else the default given, else null', () => {
    assert.equal(temp.store.getSystemConfig('log.level'), 'info');
    assert.equal(temp.store.getSystemConfig('no.such.key', 'fallback'), 'fallback');
    assert.equal(temp.store.getSystemConfig('no.such.key'), null);
  });

  test('setSystemConfig creates a key and replaces its value later', () => {
    assert.equal(temp.store.setSystemConfig('custom.key', 'one', 'A test key'), true);
    assert.equal(temp.store.setSystemConfig('custom.key', 'two'), true);
    const row = temp.store.listSystemConfig().find((each) => each.key === 'custom.key');
    assert.deepEqual([row?.value, row?.description], ['two', 'A test key']);
    assert.ok((row?.updatedAt ?? '') >= (row?.createdAt ?? ''));
  });

  test('setting a value changes its updated_at', () => {
    const before = temp.store.listSystemConfig().find((each) => each.key === 'log.level');
    temp.store.setSystemConfig('log.level', 'debug');
    const after = temp.store.listSystemConfig().find((each) => each.key === 'log.level');
    assert.equal(after?.value, 'debug');
    assert.ok((after?.updatedAt ?? '') > (before?.updatedAt ?? ''));
  });

  test('an empty key or a value that is not text is refused', () => {
    assert.throws(() => temp.store.setSystemConfig('', 'x'), ValidationError);
    assert.throws(() => temp.store.setSystemConfig('has space', 'x'), ValidationError);
    assert.throws(() => temp.store.setSystemConfig('download.max_retries', 5 as never), /expected text/);
  });
});
