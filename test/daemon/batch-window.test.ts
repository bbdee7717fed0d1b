import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWindow } from '../../src/daemon/batch-window.js';
import { FakeClock } from '../support/fake-clock.js';
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

  test('on a fake clock, a window closes exactly at its end, not a millisecond before', () => {
    const clock = new FakeClock(new Date('2026-01-10T23:00:00Z'));
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end), clock });
    const end = new Date('2026-01-11T06:00:00Z');
    window.open(end);
    clock.advanceTo(new Date(end.getTime() - 1));
    assert.equal(window.isOpen(), true);
    assert.deepEqual(closed, []);
    clock.advance(1);
    assert.equal(window.isOpen(), false);
    assert.deepEqual(closed, [end]);
  });

  test("a window longer than setTimeout's 24.8-day limit still closes at its end", () => {
    const clock = new FakeClock(new Date('2026-01-01T00:00:00Z'));
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end), clock });
    const end = new Date('2026-02-10T00:00:00Z'); // 40 days
    window.open(end);
    clock.advanceTo(new Date('2026-02-09T23:59:59Z'));
    assert.deepEqual(closed, [], 'the first timer ran out and was re-armed, without closing');
    clock.advanceTo(end);
    assert.deepEqual(closed, [end]);
  });

  test('a window closed by hand, or moved by a later firing, leaves no old timer behind', () => {
    const clock = new FakeClock(new Date('2026-01-10T00:00:00Z'));
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end), clock });
    window.open(new Date('2026-01-10T01:00:00Z'));
    const later = new Date('2026-01-10T03:00:00Z');
    window.open(later);
    assert.equal(clock.pending, 1);
    clock.advanceTo(new Date('2026-01-10T02:00:00Z'));
    assert.deepEqual(closed, [], 'the first end no longer applies');
    window.close();
    assert.equal(clock.pending, 0);
    clock.advanceTo(new Date('2026-01-10T04:00:00Z'));
    assert.deepEqual(closed, []);
  });

  test('a window whose end has already passed closes at once', () => {
    const clock = new FakeClock(new Date('2026-01-10T07:00:00Z'));
    const closed: Date[] = [];
    const window = new BatchWindow({ onClose: (end) => closed.push(end), clock });
    const end = new Date('2026-01-10T06:00:00Z');
    window.open(end);
    assert.equal(window.isOpen(), false);
    assert.deepEqual(closed, [end]);
  });
});
