/**
 * The connection count's decisions (lane-controller.ts), fed samples with
 * their times: open wide at the first bytes when each connection is slow (a
 * per-connection cap), stay at one when it is fast, and after opening wide
 * keep only as many as the rate measured needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionBudget, LaneController, sampleEvery } from '../../src/hub/transfer/lane-controller.js';

const MB = 1_000_000;

/** Feeds `controller` samples 250 ms apart at `rate(lanes)` bytes per second; returns the counts it asked for. */
function run(controller: LaneController, rate: (lanes: number) => number, samples: number): number[] {
  let at = performance.now();
  let bytes = 0;
  const counts: number[] = [];
  for (let index = 0; index < samples; index++) {
    at += 250;
    bytes += (rate(controller.target) * 250) / 1000;
    counts.push(controller.sample(bytes, at));
  }
  return counts;
}

test('under a per-connection cap, the sample after the first bytes opens every connection allowed at once', () => {
  const controller = new LaneController(1, 16);
  const counts = run(controller, (lanes) => lanes * 20 * MB, 6);
  assert.deepEqual(counts.slice(0, 2), [1, 16], `asked for ${counts.join(', ')}`);
  assert.equal(controller.target, 16);
});

test('a connection faster than any CDN cap stays alone', () => {
  const controller = new LaneController(1, 16);
  assert.deepEqual(
    run(controller, () => 400 * MB, 6),
    [1, 1, 1, 1, 1, 1],
  );
});

test('when opening wide pays only in part (a link of 50 MB/s, 20 per connection), it keeps what the rate needs', () => {
  const controller = new LaneController(1, 16);
  const counts = run(controller, (lanes) => Math.min(50 * MB, lanes * 20 * MB), 8);
  assert.equal(counts[1], 16);
  assert.equal(controller.target, 3, `asked for ${counts.join(', ')}`);
});

test('no verdict before the first byte: a slow first answer does not open wide', () => {
  const controller = new LaneController(1, 16);
  assert.equal(controller.sample(0, performance.now() + 250), 1);
  assert.equal(controller.sample(0, performance.now() + 500), 1);
});

test('a budget gives no more than its limit unless forced, and takes from its parent', () => {
  const process = new ConnectionBudget(3);
  const snapshot = new ConnectionBudget(2, process);
  assert.equal(snapshot.take(false), true);
  assert.equal(snapshot.take(false), true);
  assert.equal(snapshot.take(false), false, 'the snapshot is full');
  assert.equal(snapshot.take(true), true, 'forced: every file gets one');
  assert.equal(process.hasRoom(), false, 'the process counted all three');
  snapshot.release();
  snapshot.release();
  assert.equal(snapshot.hasRoom(), true);
});

test('sampling on the clock: under a per-connection cap, every connection is asked for within a third of a second', async () => {
  // Bytes at 20 MB/s per connection, from a first byte 20 ms after the start (the request's round trip).
  const controller = new LaneController(1, 16);
  const startedAt = performance.now();
  let bytes = 0;
  let lastAt = startedAt;
  const received = (): number => {
    const now = performance.now();
    if (now - startedAt > 20) bytes += ((now - Math.max(lastAt, startedAt + 20)) / 1000) * controller.target * 20 * MB;
    lastAt = now;
    return bytes;
  };
  // The sampler's timer never keeps the process alive (a socket does, in a download): this one does, here.
  const keepAlive = setTimeout(() => {}, 5000);
  const openedAt = await new Promise<number>((resolve) => {
    const stop = sampleEvery(controller, received, (wanted) => {
      if (wanted < 16) return;
      stop();
      resolve(performance.now() - startedAt);
    });
  });
  clearTimeout(keepAlive);
  // The first sample comes at 100 ms and the verdict one sample after the first bytes: 150 ms. A sample every
  // 250 ms from the first would give it at 350 ms at the soonest (timers never fire early).
  assert.ok(openedAt < 340, `every connection asked for after ${openedAt.toFixed(0)} ms`);
});
