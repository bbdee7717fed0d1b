/**
 * The mirror's read buffers: large ones under the shared budget, 256 KiB
 * beyond it, never larger than the bytes to send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LARGE_READ_BYTES,
  LARGE_READS_BUDGET_BYTES,
  ReadBufferBudget,
  SMALL_READ_BYTES,
} from '../../src/serve/read-buffers.js';

const GiB = 1024 * 1024 * 1024;

test('large buffers while the budget lasts, 256 KiB beyond it, and the budget back once released', () => {
  const budget = new ReadBufferBudget();
  const large = Array.from({ length: LARGE_READS_BUDGET_BYTES / (2 * LARGE_READ_BYTES) }, () => budget.take(GiB));
  for (const taken of large)
    assert.deepEqual(
      taken.buffers.map((buffer) => buffer.length),
      [LARGE_READ_BYTES, LARGE_READ_BYTES],
    );
  const beyond = budget.take(GiB);
  assert.deepEqual(
    beyond.buffers.map((buffer) => buffer.length),
    [SMALL_READ_BYTES, SMALL_READ_BYTES],
  );
  large[0]!.release();
  large[0]!.release(); // twice gives back once
  assert.equal(budget.take(GiB).buffers[0].length, LARGE_READ_BYTES);
  assert.equal(budget.take(GiB).buffers[0].length, SMALL_READ_BYTES);
});

test('a buffer is never larger than what it is for: a small file or range takes no budget', () => {
  const budget = new ReadBufferBudget();
  assert.equal(budget.take(100).buffers[0].length, 100);
  assert.equal(budget.take(SMALL_READ_BYTES).buffers[0].length, SMALL_READ_BYTES);
  const middling = budget.take(LARGE_READ_BYTES / 2);
  assert.equal(middling.buffers[0].length, LARGE_READ_BYTES / 2);
});
