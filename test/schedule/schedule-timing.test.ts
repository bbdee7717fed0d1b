import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cronPatternFor,
  describeScheduleTime,
  nextRunTimes,
  windowEndFor,
} from '../../src/schedule/schedule-timing.js';
import { scheduleWhenOf, type ScheduleTiming, type ScheduleWindow } from '../../src/schedule/schedule-fields.js';
import { parseTimeOfDay, validateCronPattern } from '../../src/schedule/schedule-format.js';
import { ValidationError } from '../../src/errors.js';

type LooseFields = Parameters<typeof scheduleWhenOf>[0] & ScheduleWindow;

/** A schedule's timing from loose fields, as the store reads a row (scheduleWhenOf refuses what makes no schedule). */
function schedule(fields: Partial<LooseFields>): ScheduleTiming {
  const loose: LooseFields = {
    type: 'daily',
    time: '01:00',
    dayOfWeek: null,
    cronPattern: null,
    windowEnd: null,
    windowMinutes: null,
    ...fields,
  };
  return { ...scheduleWhenOf(loose), windowEnd: loose.windowEnd, windowMinutes: loose.windowMinutes };
}

const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

describe('schedule patterns', () => {
  test('a daily schedule at 01:30 fires on "30 1 * * *"', () => {
    assert.equal(cronPatternFor(schedule({ type: 'daily', time: '01:30' })), '30 1 * * *');
  });

  test('a weekly schedule on Sunday at 23:05 fires on "5 23 * * 0"', () => {
    assert.equal(cronPatternFor(schedule({ type: 'weekly', time: '23:05', dayOfWeek: 0 })), '5 23 * * 0');
  });

  test('a custom schedule fires on its own pattern', () => {
    assert.equal(cronPatternFor(schedule({ type: 'custom', cronPattern: ' 0 */2 * * 1-5 ' })), '0 */2 * * 1-5');
  });

  test('a weekly schedule without a day is refused', () => {
    assert.throws(() => cronPatternFor(schedule({ type: 'weekly', time: '01:00' })), ValidationError);
  });

  test('times are described for people with the day number convention', () => {
    assert.equal(
      describeScheduleTime(schedule({ type: 'weekly', time: '02:00', dayOfWeek: 6 })),
      'weekly on Saturday (6) at 02:00',
    );
  });
});

describe('cron pattern validation', () => {
  test('five and six field patterns are accepted', () => {
    assert.equal(validateCronPattern('0 2 * * *'), '0 2 * * *');
    assert.equal(validateCronPattern('30  0 2 * * *'), '30 0 2 * * *');
  });

  test("a pattern with the wrong number of fields is refused with croner's reason", () => {
    assert.throws(
      () => validateCronPattern('* * *'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /^cron pattern "\* \* \*" is not valid: invalid configuration format/);
        assert.match(error.message, /exactly five or six space separated parts/);
        return true;
      },
    );
  });

  test('an out-of-range field is refused naming the field', () => {
    assert.throws(() => validateCronPattern('61 * * * *'), /Invalid value for minute: 61/);
  });

  test('a pattern that can never fire is refused', () => {
    assert.throws(() => validateCronPattern('0 0 30 2 *'), /never fires/);
  });
});

describe('next run times', () => {
  test("a daily schedule runs at its time in the schedule's time zone", () => {
    const runs = nextRunTimes(
      schedule({ type: 'daily', time: '01:30' }),
      'Asia/Tokyo',
      3,
      new Date('2024-06-01T00:00:00Z'),
    );
    // 01:30 in Tokyo (UTC+9) is 16:30 UTC the day before.
    assert.deepEqual(iso(runs), ['2024-06-01T16:30:00.000Z', '2024-06-02T16:30:00.000Z', '2024-06-03T16:30:00.000Z']);
  });

  test('a weekly schedule runs once a week on its day (0 = Sunday)', () => {
    const runs = nextRunTimes(
      schedule({ type: 'weekly', time: '03:00', dayOfWeek: 0 }),
      'UTC',
      2,
      new Date('2024-06-05T12:00:00Z'),
    );
    assert.deepEqual(iso(runs), ['2024-06-09T03:00:00.000Z', '2024-06-16T03:00:00.000Z']);
  });

  test('a custom pattern with seconds runs on those seconds', () => {
    const runs = nextRunTimes(
      schedule({ type: 'custom', cronPattern: '*/20 * * * * *' }),
      'UTC',
      3,
      new Date('2024-06-05T12:00:00Z'),
    );
    assert.deepEqual(iso(runs), ['2024-06-05T12:00:20.000Z', '2024-06-05T12:00:40.000Z', '2024-06-05T12:01:00.000Z']);
  });

  test('the local time is kept across a daylight saving change', () => {
    // Europe/Paris moves from UTC+1 to UTC+2 on 2024-03-31.
    const runs = nextRunTimes(
      schedule({ type: 'daily', time: '04:00' }),
      'Europe/Paris',
      2,
      new Date('2024-03-30T12:00:00Z'),
    );
    assert.deepEqual(iso(runs), ['2024-03-31T02:00:00.000Z', '2024-04-01T02:00:00.000Z']);
  });
});

describe('window ends', () => {
  test('a schedule without a window has no end', () => {
    assert.equal(
      windowEndFor(schedule({ type: 'daily', time: '01:00' }), new Date('2024-06-01T01:00:00Z'), 'UTC'),
      null,
    );
  });

  test('a window of 90 minutes closes 90 minutes after the firing', () => {
    const end = windowEndFor(schedule({ windowMinutes: 90 }), new Date('2024-06-01T23:00:00Z'), 'UTC');
    assert.equal(end?.toISOString(), '2024-06-02T00:30:00.000Z');
  });

  test('a window until 06:00 from a 23:00 firing closes the next morning', () => {
    const end = windowEndFor(schedule({ windowEnd: '06:00' }), new Date('2024-06-01T23:00:00Z'), 'UTC');
    assert.equal(end?.toISOString(), '2024-06-02T06:00:00.000Z');
  });

  test("a window end is read in the schedule's time zone", () => {
    // Fired at 23:00 in New York (03:00 UTC, EDT = UTC-4); closes at 05:00 New York time.
    const end = windowEndFor(schedule({ windowEnd: '05:00' }), new Date('2024-06-02T03:00:00Z'), 'America/New_York');
    assert.equal(end?.toISOString(), '2024-06-02T09:00:00.000Z');
  });

  test('a window end equal to the firing time gives a full day', () => {
    const end = windowEndFor(schedule({ windowEnd: '01:00' }), new Date('2024-06-01T01:00:00Z'), 'UTC');
    assert.equal(end?.toISOString(), '2024-06-02T01:00:00.000Z');
  });
});

describe('times of day', () => {
  test('HH:MM from 00:00 to 23:59 is accepted', () => {
    assert.deepEqual(parseTimeOfDay('00:00'), { hour: 0, minute: 0 });
    assert.deepEqual(parseTimeOfDay('23:59'), { hour: 23, minute: 59 });
  });

  test('24:00 is refused with the accepted range', () => {
    assert.throws(() => parseTimeOfDay('24:00'), /expected HH:MM from 00:00 to 23:59/);
  });
});
