import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferRate } from '../../src/system/transfer-rate.js';

const MB = 1_000_000;

describe('TransferRate: the speed shown by hfsched status and by the bars of hfsched pull', () => {
  test('a steady transfer shows its rate', () => {
    const rate = new TransferRate();
    for (let step = 0; step <= 8; step += 1) rate.record(step * MB, 1000 + step * 250);
    assert.equal(rate.bytesPerSecond(3000), 4 * MB);
  });

  test('the speed follows a change: only the last five seconds count', () => {
    const rate = new TransferRate();
    // 10 MB/s for 10 s, then 1 MB/s for 6 s.
    for (let second = 0; second <= 10; second += 1) rate.record(second * 10 * MB, second * 1000);
    for (let second = 11; second <= 16; second += 1) rate.record(100 * MB + (second - 10) * MB, second * 1000);
    assert.equal(rate.bytesPerSecond(16_000), MB);
  });

  test('a stalled transfer falls towards 0 as time passes without bytes', () => {
    const rate = new TransferRate();
    rate.record(0, 0);
    rate.record(4 * MB, 1000);
    assert.equal(rate.bytesPerSecond(1000), 4 * MB);
    assert.equal(rate.bytesPerSecond(4000), MB);
  });

  test('two reports close together make no speed yet (no spike), nor does a single one', () => {
    const rate = new TransferRate();
    rate.record(0, 0);
    assert.equal(rate.bytesPerSecond(1000), 0);
    rate.record(MB, 10);
    assert.equal(rate.bytesPerSecond(10), 0);
    assert.equal(rate.bytesPerSecond(500), 2 * MB);
  });
});
