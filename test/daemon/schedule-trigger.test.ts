import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleTrigger, type Firing } from '../../src/daemon/schedule-trigger.js';
import { formatClock } from '../../src/schedule/clock-format.js';
import { FakeClock } from '../support/fake-clock.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

let db: TempDatabase;
beforeEach(() => {
  db = createTempDatabase();
});
afterEach(() => db.cleanup());

function triggerOn(clock: FakeClock): { trigger: ScheduleTrigger; firings: Firing[]; errors: unknown[] } {
  const firings: Firing[] = [];
  const errors: unknown[] = [];
  const trigger = new ScheduleTrigger({
    onFire: (firing) => firings.push(firing),
    onError: (error) => errors.push(error),
    clock,
  });
  return { trigger, firings, errors };
}

describe('schedule trigger on a fake clock', () => {
  test('a daily schedule fires at its local time with its window end, and again the next day', () => {
    const schedule = db.store.schedules.create({
      name: 'nightly',
      type: 'daily',
      time: '01:30',
      maxConcurrentDownloads: 2,
      windowEnd: '06:00',
    });
    // 00:00 UTC is 01:00 in Paris (winter): the first firing is 30 minutes away.
    const clock = new FakeClock(new Date('2026-01-10T00:00:00Z'));
    const { trigger, firings } = triggerOn(clock);
    trigger.arm(schedule, 'Europe/Paris');
    assert.equal(trigger.nextRunAt()?.toISOString(), '2026-01-10T00:30:00.000Z');

    clock.advanceTo(new Date('2026-01-10T00:29:59.999Z'));
    assert.equal(firings.length, 0, 'not a millisecond early');
    clock.advanceTo(new Date('2026-01-10T00:30:00Z'));
    assert.equal(firings.length, 1);
    assert.equal(firings[0]!.firedAt.toISOString(), '2026-01-10T00:30:00.000Z');
    assert.equal(firings[0]!.windowEndsAt?.toISOString(), '2026-01-10T05:00:00.000Z');
    assert.equal(firings[0]!.schedule.id, schedule.id);
    assert.equal(trigger.nextRunAt()?.toISOString(), '2026-01-11T00:30:00.000Z');

    clock.advance(24 * 3600 * 1000);
    assert.equal(firings.length, 2);
    trigger.disarm();
  });

  test('a daily schedule keeps its local time across a daylight saving change', () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '03:30' });
    // Paris moves from UTC+1 to UTC+2 at 02:00 local on 29 March 2026.
    const clock = new FakeClock(new Date('2026-03-27T12:00:00Z'));
    const { trigger, firings } = triggerOn(clock);
    trigger.arm(schedule, 'Europe/Paris');
    clock.advanceTo(new Date('2026-03-31T00:00:00Z'));
    assert.deepEqual(
      firings.map((firing) => firing.firedAt.toISOString()),
      ['2026-03-28T02:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T01:30:00.000Z'],
    );
    assert.ok(firings.every((firing) => formatClock(firing.firedAt, 'Europe/Paris').endsWith('03:30')));
    trigger.disarm();
  });

  test('a weekly schedule on day 0 fires on Sundays only', () => {
    const schedule = db.store.schedules.create({
      name: 'sunday',
      type: 'weekly',
      time: '04:00',
      dayOfWeek: 0,
      maxConcurrentDownloads: 1,
      windowMinutes: 90,
    });
    const clock = new FakeClock(new Date('2026-01-05T00:00:00Z')); // a Monday
    const { trigger, firings } = triggerOn(clock);
    trigger.arm(schedule, 'UTC');
    clock.advance(21 * 24 * 3600 * 1000);
    assert.deepEqual(
      firings.map((firing) => [firing.firedAt.toISOString(), firing.firedAt.getUTCDay()]),
      [
        ['2026-01-11T04:00:00.000Z', 0],
        ['2026-01-18T04:00:00.000Z', 0],
        ['2026-01-25T04:00:00.000Z', 0],
      ],
    );
    assert.equal(firings[0]!.windowEndsAt?.toISOString(), '2026-01-11T05:30:00.000Z');
    trigger.disarm();
  });

  test('disarming stops the firings, and re-arming follows the new schedule', () => {
    const first = db.store.schedules.create({ name: 'every-hour', type: 'custom', cronPattern: '0 * * * *' });
    const second = db.store.schedules.create({ name: 'half-past', type: 'custom', cronPattern: '30 * * * *' });
    const clock = new FakeClock(new Date('2026-01-10T10:15:00Z'));
    const { trigger, firings } = triggerOn(clock);
    trigger.arm(first, 'UTC');
    clock.advance(3600 * 1000);
    assert.deepEqual(
      firings.map((firing) => firing.firedAt.toISOString()),
      ['2026-01-10T11:00:00.000Z'],
    );
    trigger.disarm();
    assert.equal(trigger.nextRunAt(), null);
    assert.equal(clock.pending, 0, 'no timer is left behind');
    clock.advance(3600 * 1000);
    assert.equal(firings.length, 1);
    trigger.arm(second, 'UTC');
    clock.advance(3600 * 1000);
    assert.deepEqual(
      firings.map((firing) => [firing.schedule.name, firing.firedAt.toISOString()]),
      [
        ['every-hour', '2026-01-10T11:00:00.000Z'],
        ['half-past', '2026-01-10T12:30:00.000Z'],
      ],
    );
    trigger.disarm();
  });

  test('a firing that throws is reported and the next firing still comes', () => {
    const schedule = db.store.schedules.create({ name: 'every-minute', type: 'custom', cronPattern: '* * * * *' });
    const clock = new FakeClock(new Date('2026-01-10T10:00:30Z'));
    const errors: unknown[] = [];
    let calls = 0;
    const trigger = new ScheduleTrigger({
      onFire: () => {
        calls += 1;
        if (calls === 1) throw new Error('first firing failed');
      },
      onError: (error) => errors.push(error),
      clock,
    });
    trigger.arm(schedule, 'UTC');
    clock.advance(2 * 60 * 1000);
    assert.equal(calls, 2);
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['first firing failed'],
    );
    trigger.disarm();
  });

  test('a schedule with a new name or concurrency keeps its timer and reports the change at the next firing', () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' });
    const clock = new FakeClock(new Date('2026-01-10T00:00:00Z'));
    const { trigger, firings } = triggerOn(clock);
    trigger.arm(schedule, 'UTC');
    db.store.schedules.update(schedule.id, { maxConcurrentDownloads: 4 });
    trigger.updateSchedule(db.store.schedules.get(schedule.id)!);
    assert.equal(clock.pending, 1);
    clock.advance(2 * 3600 * 1000);
    assert.equal(firings[0]?.schedule.maxConcurrentDownloads, 4);
    trigger.disarm();
  });
});
