import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { ValidationError } from '../../src/errors.js';

describe('schedules', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  test('a daily schedule fires at a time, with a concurrency limit', () => {
    const schedule = temp.store.schedules.create({
      name: 'nightly',
      type: 'daily',
      time: '02:00',
      maxConcurrentDownloads: 3,
    });
    assert.deepEqual(
      [
        schedule.name,
        schedule.type,
        schedule.time,
        schedule.dayOfWeek,
        schedule.maxConcurrentDownloads,
        schedule.cronPattern,
      ],
      ['nightly', 'daily', '02:00', null, 3, null],
    );
  });

  test('max concurrent downloads defaults to 1', () => {
    assert.equal(
      temp.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' }).maxConcurrentDownloads,
      1,
    );
  });

  test('a weekly schedule needs a day of week, 0 = Sunday to 6 = Saturday', () => {
    assert.equal(
      temp.store.schedules.create({ name: 'sunday', type: 'weekly', time: '03:00', dayOfWeek: 0 }).dayOfWeek,
      0,
    );
    assert.equal(
      temp.store.schedules.create({ name: 'saturday', type: 'weekly', time: '03:00', dayOfWeek: 6 }).dayOfWeek,
      6,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: 'no day', type: 'weekly', time: '03:00' }),
      /needs a day of week: 0 \(Sunday\) to 6 \(Saturday\)/,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: 'day 7', type: 'weekly', time: '03:00', dayOfWeek: 7 }),
      ValidationError,
    );
  });

  test('a weekly row without a day, written by another program, is refused naming the schedule to fix', () => {
    // The table's checks allow it (only the store's own rules refuse it).
    const other = new Database(temp.dbPath);
    other.prepare("INSERT INTO schedule_configurations (name, type, time) VALUES ('odd', 'weekly', '03:00')").run();
    other.close();
    assert.throws(
      () => temp.store.schedules.list(),
      (error: unknown) =>
        error instanceof ValidationError &&
        /^schedule \d+ "odd" in the database: a weekly schedule needs a day of week/.test(error.message),
    );
  });

  test('a daily schedule takes no day of week', () => {
    assert.throws(
      () => temp.store.schedules.create({ name: 'daily', type: 'daily', time: '03:00', dayOfWeek: 2 }),
      /takes no day of week/,
    );
  });

  test('daily and weekly schedules need a valid time', () => {
    assert.throws(
      () => temp.store.schedules.create({ name: 'no time', type: 'daily', time: null }),
      /needs a time \(HH:MM\)/,
    );
    for (const time of ['24:00', '7:00', '12:60']) {
      assert.throws(() => temp.store.schedules.create({ name: 'bad time', type: 'daily', time }), ValidationError);
    }
  });

  test('a custom schedule fires on a cron pattern and has no time', () => {
    const schedule = temp.store.schedules.create({
      name: 'weekdays',
      type: 'custom',
      maxConcurrentDownloads: 2,
      cronPattern: '30 1 * * 1-5',
    });
    assert.deepEqual([schedule.type, schedule.time, schedule.cronPattern], ['custom', null, '30 1 * * 1-5']);
  });

  test('a custom schedule whose pattern never fires (30 February) is refused, as the CLI refuses it', () => {
    assert.throws(
      () => temp.store.schedules.create({ name: 'c', type: 'custom', cronPattern: '0 0 30 2 *' }),
      /cron pattern "0 0 30 2 \*" never fires/,
    );
    assert.equal(temp.store.schedules.list().length, 0);
  });

  test('a custom schedule without a valid cron pattern is refused', () => {
    assert.throws(() => temp.store.schedules.create({ name: 'c', type: 'custom', time: null }), /needs a cron pattern/);
    assert.throws(
      () => temp.store.schedules.create({ name: 'c', type: 'custom', cronPattern: '61 * * * *' }),
      /cron pattern .* is not valid/,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: 'c', type: 'custom', time: '02:00', cronPattern: '0 2 * * *' }),
      /takes no time/,
    );
  });

  test('only custom schedules take a cron pattern', () => {
    assert.throws(
      () => temp.store.schedules.create({ name: 'd', type: 'daily', time: '02:00', cronPattern: '0 2 * * *' }),
      /takes no cron pattern/,
    );
  });

  test('a schedule may close its window at a time or after some minutes, not both', () => {
    assert.equal(
      temp.store.schedules.create({ name: 'a', type: 'daily', time: '01:00', windowEnd: '06:00' }).windowEnd,
      '06:00',
    );
    assert.equal(
      temp.store.schedules.create({ name: 'b', type: 'daily', time: '01:00', windowMinutes: 240 }).windowMinutes,
      240,
    );
    assert.throws(
      () =>
        temp.store.schedules.create({
          name: 'c',
          type: 'daily',
          time: '01:00',
          windowEnd: '06:00',
          windowMinutes: 240,
        }),
      /both a window end and a window length/,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: 'd', type: 'daily', time: '01:00', windowEnd: '25:00' }),
      /invalid window end/,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: 'e', type: 'daily', time: '01:00', windowMinutes: 0 }),
      ValidationError,
    );
  });

  test('max concurrent downloads must be 1 to 10', () => {
    for (const max of [0, 11, 2.5]) {
      assert.throws(
        () => temp.store.schedules.create({ name: 's', type: 'daily', time: '02:00', maxConcurrentDownloads: max }),
        /expected a whole number from 1 to 10/,
      );
    }
  });

  test('an unknown schedule type or an empty name is refused', () => {
    assert.throws(
      () => temp.store.schedules.create({ name: 's', type: 'hourly' as never, time: '02:00' }),
      /invalid schedule type "hourly"/,
    );
    assert.throws(
      () => temp.store.schedules.create({ name: '  ', type: 'daily', time: '02:00' }),
      /invalid schedule name/,
    );
  });

  test('the first schedule is enabled and later ones are not', () => {
    const first = temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    const second = temp.store.schedules.create({ name: 'second', type: 'daily', time: '02:00' });
    assert.equal(first.enabled, true);
    assert.equal(second.enabled, false);
    assert.equal(temp.store.schedules.active()?.id, first.id);
  });

  test('a new schedule is enabled when no other schedule is', () => {
    const first = temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    temp.store.schedules.disable(first.id);
    assert.equal(temp.store.schedules.create({ name: 'second', type: 'daily', time: '02:00' }).enabled, true);
  });

  test('there is no active schedule before any is created or after the last is disabled', () => {
    assert.equal(temp.store.schedules.active(), null);
    const schedule = temp.store.schedules.create({ name: 'only', type: 'daily', time: '01:00' });
    assert.equal(temp.store.schedules.disable(schedule.id), true);
    assert.equal(temp.store.schedules.active(), null);
  });

  test('enabling a schedule disables the one that was enabled', () => {
    const first = temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    const second = temp.store.schedules.create({ name: 'second', type: 'weekly', time: '02:00', dayOfWeek: 5 });
    assert.equal(temp.store.schedules.enable(second.id), true);
    assert.equal(temp.store.schedules.active()?.id, second.id);
    assert.equal(temp.store.schedules.get(first.id)?.enabled, false);
    assert.equal(temp.store.schedules.list().filter((schedule) => schedule.enabled).length, 1);
  });

  test('enabling the schedule that is already enabled keeps it enabled', () => {
    const first = temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    assert.equal(temp.store.schedules.enable(first.id), true);
    assert.equal(temp.store.schedules.active()?.id, first.id);
  });

  test('enabling or disabling a schedule that does not exist returns false and changes nothing', () => {
    const first = temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    assert.equal(temp.store.schedules.enable(first.id + 1), false);
    assert.equal(temp.store.schedules.disable(first.id + 1), false);
    assert.equal(temp.store.schedules.active()?.id, first.id);
  });

  test('enabling a second schedule by SQL alone is refused by the database', () => {
    temp.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    const second = temp.store.schedules.create({ name: 'second', type: 'daily', time: '02:00' });
    assert.throws(
      () => temp.sql().prepare('UPDATE schedule_configurations SET enabled = 1 WHERE id = ?').run(second.id),
      /UNIQUE constraint failed/,
    );
  });

  test('schedules.list lists every schedule in creation order', () => {
    temp.store.schedules.create({ name: 'b', type: 'daily', time: '01:00' });
    temp.store.schedules.create({ name: 'a', type: 'daily', time: '02:00' });
    assert.deepEqual(
      temp.store.schedules.list().map((schedule) => schedule.name),
      ['b', 'a'],
    );
  });

  test('schedules.get returns null for a schedule that does not exist', () => {
    assert.equal(temp.store.schedules.get(7), null);
  });

  test('schedules.update changes the given fields and keeps the others', () => {
    const schedule = temp.store.schedules.create({
      name: 'nightly',
      type: 'weekly',
      time: '02:00',
      dayOfWeek: 1,
      maxConcurrentDownloads: 2,
    });
    assert.equal(temp.store.schedules.update(schedule.id, { time: '03:15', maxConcurrentDownloads: 4 }), true);
    const updated = temp.store.schedules.get(schedule.id);
    assert.deepEqual(
      [updated?.name, updated?.time, updated?.dayOfWeek, updated?.maxConcurrentDownloads, updated?.enabled],
      ['nightly', '03:15', 1, 4, true],
    );
    assert.ok((updated?.updatedAt ?? '') > schedule.updatedAt);
  });

  test('setting a window end on a schedule clears its window length, and the other way round', () => {
    const schedule = temp.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00', windowMinutes: 60 });
    temp.store.schedules.update(schedule.id, { windowEnd: '05:00' });
    let updated = temp.store.schedules.get(schedule.id);
    assert.deepEqual([updated?.windowEnd, updated?.windowMinutes], ['05:00', null]);
    temp.store.schedules.update(schedule.id, { windowMinutes: 90 });
    updated = temp.store.schedules.get(schedule.id);
    assert.deepEqual([updated?.windowEnd, updated?.windowMinutes], [null, 90]);
    temp.store.schedules.update(schedule.id, { windowMinutes: null });
    updated = temp.store.schedules.get(schedule.id);
    assert.deepEqual([updated?.windowEnd, updated?.windowMinutes], [null, null]);
  });

  test('schedules.update refuses a change that breaks the schedule rules and changes nothing', () => {
    const schedule = temp.store.schedules.create({ name: 'weekly', type: 'weekly', time: '02:00', dayOfWeek: 1 });
    assert.throws(() => temp.store.schedules.update(schedule.id, { dayOfWeek: null }), /needs a day of week/);
    assert.throws(() => temp.store.schedules.update(schedule.id, { time: '24:00' }), ValidationError);
    assert.deepEqual(temp.store.schedules.get(schedule.id), schedule);
  });

  test('schedules.update changes the cron pattern of a custom schedule', () => {
    const schedule = temp.store.schedules.create({ name: 'c', type: 'custom', cronPattern: '0 2 * * *' });
    assert.equal(temp.store.schedules.update(schedule.id, { cronPattern: '0 4 * * 6' }), true);
    assert.equal(temp.store.schedules.get(schedule.id)?.cronPattern, '0 4 * * 6');
    assert.throws(() => temp.store.schedules.update(schedule.id, { cronPattern: null }), /needs a cron pattern/);
  });

  test('schedules.update returns false for a schedule that does not exist', () => {
    assert.equal(temp.store.schedules.update(3, { name: 'x' }), false);
  });

  test('deleting a schedule keeps the download history, without the schedule', () => {
    const schedule = temp.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' });
    const model = temp.store.models.create({ name: 'org/name' });
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: schedule.id });
    assert.equal(temp.store.schedules.delete(schedule.id), true);
    assert.equal(temp.store.schedules.get(schedule.id), null);
    assert.equal(temp.store.downloads.getSession(session.id)?.scheduleId, null);
    assert.equal(temp.store.schedules.delete(schedule.id), false);
  });

  test('a schedule row that breaks the rules is refused by the database too', () => {
    assert.throws(
      () =>
        temp
          .sql()
          .prepare(
            "INSERT INTO schedule_configurations (name, type, time, cron_pattern, enabled) VALUES ('x', 'daily', '01:00', '* * * * *', 0)",
          )
          .run(),
      /CHECK constraint failed/,
    );
  });
});
