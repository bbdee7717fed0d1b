import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWindow } from '../../src/daemon/batch-window.js';
import { waitFor } from './daemon-process.js';

describe('batch window', () => {
  test('a window with an end closes at that end and reports it', async () => {
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end) });
    const end = new Date(Date.now() + 200);
    window.open(end);
    assert.equal(window.isOpen(), true);
    assert.equal(window.endsAt(), end);
    await waitFor(() => closed.length === 1, { timeoutMs: 5000 });
    assert.equal(window.isOpen(), false);
    assert.equal(closed[0], end);
    assert.ok(Date.now() >= end.getTime());
  });

  test('a firing inside an open window moves its end', async () => {
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end) });
    window.open(new Date(Date.now() + 100));
    const later = new Date(Date.now() + 400);
    window.open(later);
    await waitFor(() => closed.length === 1, { timeoutMs: 5000 });
    assert.deepEqual(closed, [later]);
  });

  test('a window without an end stays open until closed, without reporting a close', async () => {
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end) });
    window.open(null);
    assert.equal(window.isOpen(), true);
    assert.equal(window.endsAt(), null);
    window.close();
    assert.equal(window.isOpen(), false);
    assert.deepEqual(closed, []);
  });
});
