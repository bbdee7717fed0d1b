import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration } from '../../src/system/human-units.js';

describe('sizes and durations as people read them', () => {
  test('sizes are shown in binary units, with one decimal below 100', () => {
    assert.deepEqual([0, 512, 1024, 1536, 6 * 1024 ** 2, 1288490188, 150 * 1024 ** 3, 2 ** 52].map(formatBytes), [
      '0 B',
      '512 B',
      '1.0 KiB',
      '1.5 KiB',
      '6.0 MiB',
      '1.2 GiB',
      '150 GiB',
      '4.0 PiB',
    ]);
    assert.equal(formatBytes(null), '-');
  });

  test('durations leave out leading and trailing zero parts and pad the inner ones', () => {
    assert.deepEqual([0, 9, 60, 75, 2700, 3660, 3725, 5400, 14400, 0.4, 59.6].map(formatDuration), [
      '0s',
      '9s',
      '1m',
      '1m15s',
      '45m',
      '1h01m',
      '1h02m05s',
      '1h30m',
      '4h',
      '0s',
      '1m',
    ]);
  });

  test('an unknown duration is a question mark', () => {
    assert.deepEqual([Number.NaN, Infinity, -1].map(formatDuration), ['?', '?', '?']);
  });
});
