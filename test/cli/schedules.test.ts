import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleView } from '../../src/cli/schedules.js';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe('hfsched schedule', () => {
  let db: TempDatabase;
  const cli = (...args: string[]) => runCli(args, { dbPath: db.dbPath });
  beforeEach(() => {
    db = createTempDatabase();
    // Tokyo has no daylight saving time, so UTC hours are fixed.
    db.store.config.set('scheduler.timezone', 'Asia/Tokyo');
  });
  afterEach(() => db.cleanup());

  test('schedule add --daily prints the schedule and its next three runs', async () => {
    const result = await cli(
      'schedule',
      'add',
      'nightly',
      '--daily',
      '01:30',
      '--until',
      '06:00',
      '--max-concurrent',
      '2',
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(
      lines[0],
      'Added schedule 1 "nightly": daily at 01:30, up to 2 downloads at once, window until 06:00.',
    );
    assert.equal(lines[1], 'It is enabled.');
    assert.match(
      lines[2] ?? '',
      /^Window of the next run: \w{3} \d{4}-\d\d-\d\d 01:30 Asia\/Tokyo until 06:00 the same day, 4 h 30 min\.$/,
    );
    assert.equal(lines[3], 'Next runs (Asia/Tokyo):');
    assert.equal(lines.length, 7);
    for (const line of lines.slice(4)) assert.match(line, /^ {2}(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d 01:30$/);
  });

  test('schedule add --json gives the next runs in the configured time zone', async () => {
    const view = parseJsonOutput<ScheduleView>(await cli('schedule', 'add', '--daily', '01:30', '--json'));
    assert.equal(view.type, 'daily');
    assert.equal(view.time, '01:30');
    assert.equal(view.pattern, '30 1 * * *');
    assert.equal(view.timezone, 'Asia/Tokyo');
    assert.equal(view.nextRuns.length, 3);
    // 01:30 in Tokyo (UTC+9) is 16:30 UTC.
    for (const run of view.nextRuns) assert.match(run, /T16:30:00\.000Z$/);
  });

  test('schedule add --weekly accepts a day name (0 = Sunday)', async () => {
    const view = parseJsonOutput<ScheduleView>(await cli('schedule', 'add', '--weekly', 'Sunday@03:00', '--json'));
    assert.equal(view.dayOfWeek, 0);
    assert.equal(view.name, 'weekly sun 03:00');
    for (const run of view.nextRuns) {
      // 03:00 on Sunday in Tokyo is 18:00 UTC on Saturday.
      assert.equal(new Date(run).getUTCDay(), 6);
      assert.match(run, /T18:00:00\.000Z$/);
    }
  });

  test('schedule add --weekly accepts a day number', async () => {
    const view = parseJsonOutput<ScheduleView>(await cli('schedule', 'add', '--weekly', '5@22:15', '--json'));
    assert.equal(view.dayOfWeek, 5);
    assert.equal(view.pattern, '15 22 * * 5');
  });

  test('schedule add --weekly with an unknown day exits 2 explaining the days', async () => {
    const result = await cli('schedule', 'add', '--weekly', 'someday@01:00');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /day "someday" is not valid; .*0 = Sunday/);
  });

  test('schedule add --cron accepts a pattern with seconds and a window length', async () => {
    const view = parseJsonOutput<ScheduleView>(
      await cli('schedule', 'add', 'burst', '--cron', '30 0 22 * * 1-5', '--for', '1h30m', '--json'),
    );
    assert.equal(view.type, 'custom');
    assert.equal(view.cronPattern, '30 0 22 * * 1-5');
    assert.equal(view.windowMinutes, 90);
    for (const run of view.nextRuns) assert.match(run, /T13:00:30\.000Z$/);
  });

  test("schedule add --cron with a bad pattern exits 2 with croner's reason", async () => {
    const result = await cli('schedule', 'add', '--cron', '0 25 * * *');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hfsched: cron pattern "0 25 \* \* \*" is not valid: Invalid value for hour: 25; /);
    assert.deepEqual(db.store.schedules.list(), []);
  });

  test('schedule add needs exactly one of --daily, --weekly and --cron', async () => {
    const none = await cli('schedule', 'add', 'empty');
    const two = await cli('schedule', 'add', '--daily', '01:00', '--cron', '0 1 * * *');
    for (const result of [none, two]) {
      assert.equal(result.code, 2);
      assert.equal(
        result.stderr,
        'hfsched: give exactly one of --daily HH:MM, --weekly DAY@HH:MM (0 = Sunday) or --cron "PATTERN"\n',
      );
    }
  });

  test('schedule add refuses a time that is not HH:MM', async () => {
    const result = await cli('schedule', 'add', '--daily', '25:00');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /time "25:00" is not valid; expected HH:MM from 00:00 to 23:59/);
  });

  test('schedule add refuses --until together with --for', async () => {
    const result = await cli('schedule', 'add', '--daily', '01:00', '--until', '05:00', '--for', '4h');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'hfsched: give --until HH:MM or --for DURATION, not both\n');
  });

  test('schedule add refuses a duration it cannot read', async () => {
    const result = await cli('schedule', 'add', '--daily', '01:00', '--for', '4 hours');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /duration "4 hours" is not valid; expected .* 4h, 90m or 1h30m/);
  });

  test('schedule add refuses more than 10 concurrent downloads', async () => {
    const result = await cli('schedule', 'add', '--daily', '01:00', '--max-concurrent', '11');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /--max-concurrent <n>' argument '11' is invalid\. expected a whole number from 1 to 10/,
    );
  });

  test('a second schedule stays disabled unless --enable is given', async () => {
    await cli('schedule', 'add', 'first', '--daily', '01:00');
    const second = await cli('schedule', 'add', 'second', '--daily', '02:00');
    assert.match(second.stdout, /Schedule 1 "first" is the enabled one; switch with: hfsched schedule enable 2/);
    const third = parseJsonOutput<ScheduleView>(
      await cli('schedule', 'add', 'third', '--daily', '03:00', '--enable', '--json'),
    );
    assert.equal(third.enabled, true);
    assert.equal(db.store.schedules.active()?.name, 'third');
  });

  test('schedule list shows each schedule with its next run and the enabled one', async () => {
    await cli('schedule', 'add', 'nightly', '--daily', '01:30', '--for', '4h');
    await cli('schedule', 'add', 'weekend', '--weekly', 'sat@00:00');
    const result = await cli('schedule', 'list');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+ENABLED\s+NAME\s+WHEN\s+MAX\s+WINDOW\s+NEXT RUN \(Asia\/Tokyo\)$/);
    assert.match(lines[1] ?? '', /^1\s+yes\s+nightly\s+daily at 01:30\s+1\s+for 4h\s+\w{3} \d{4}-\d\d-\d\d 01:30$/);
    assert.match(
      lines[2] ?? '',
      /^2\s+no\s+weekend\s+weekly on Saturday \(6\) at 00:00\s+1\s+-\s+Sat \d{4}-\d\d-\d\d 00:00$/,
    );
  });

  test('schedule list --json gives one next run per schedule', async () => {
    await cli('schedule', 'add', '--cron', '0 */6 * * *');
    const views = parseJsonOutput<ScheduleView[]>(await cli('schedule', 'list', '--json'));
    assert.equal(views.length, 1);
    assert.equal(views[0]?.nextRuns.length, 1);
  });

  test('schedule enable switches the enabled schedule', async () => {
    const first = db.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    const second = db.store.schedules.create({ name: 'second', type: 'daily', time: '02:00' });
    const result = await cli('schedule', 'enable', String(second.id));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Schedule 2 "second" is enabled \(daily at 02:00/);
    assert.equal(db.store.schedules.get(first.id)?.enabled, false);
    assert.equal(db.store.schedules.get(second.id)?.enabled, true);
  });

  test('schedule disable leaves no schedule enabled', async () => {
    const only = db.store.schedules.create({ name: 'only', type: 'daily', time: '01:00' });
    const result = await cli('schedule', 'disable', String(only.id));
    assert.equal(result.stdout, 'Schedule 1 "only" is disabled.\n');
    assert.equal(db.store.schedules.active(), null);
  });

  test('enabling a schedule that does not exist exits 1', async () => {
    const result = await cli('schedule', 'enable', '42');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'hfsched: no schedule with id 42; see the schedules with: hfsched schedule list\n');
  });

  test("a schedule's name is taken wherever its id is, when no other schedule has it", async () => {
    db.store.schedules.create({ name: 'first', type: 'daily', time: '01:00' });
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '02:00' });
    assert.equal((await cli('schedule', 'enable', 'nightly')).code, 0);
    assert.equal(db.store.schedules.active()?.name, 'nightly');
    const set = await cli('schedule', 'set', 'nightly', '--max-concurrent', '3');
    assert.equal(set.code, 0, set.stderr);
    assert.equal(db.store.schedules.get(2)?.maxConcurrentDownloads, 3);
    assert.equal((await cli('schedule', 'disable', 'nightly')).code, 0);
    assert.equal(db.store.schedules.active(), null);
    assert.equal((await cli('schedule', 'remove', 'first')).code, 0);
    assert.deepEqual(
      db.store.schedules.list().map((schedule) => schedule.name),
      ['nightly'],
    );
  });

  test('an unknown schedule name exits 1 with "did you mean"', async () => {
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00' });
    const result = await cli('schedule', 'disable', 'nigthly');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'hfsched: no schedule "nigthly" (did you mean nightly?); see the schedules with: hfsched schedule list\n',
    );
  });

  test('a duplicate name is warned about at add, and refused as a reference (the id is needed)', async () => {
    await cli('schedule', 'add', 'nightly', '--daily', '01:00');
    const second = await cli('schedule', 'add', 'nightly', '--daily', '03:00');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stderr,
      'hfsched: warning: schedule 1 is also named "nightly"; refer to these schedules by id\n',
    );
    const ambiguous = await cli('schedule', 'remove', 'nightly');
    assert.equal(ambiguous.code, 2);
    assert.equal(ambiguous.stderr, 'hfsched: 2 schedules are named "nightly" (ids 1, 2); give the id\n');
    assert.equal(db.store.schedules.list().length, 2, 'nothing removed');
    const renamed = await cli('schedule', 'set', '2', '--name', 'nightly');
    assert.match(renamed.stderr, /warning: schedule 1 is also named "nightly"/);
  });

  test('the confirmation says where a long window ends, in words: 19 h, until the next day', async () => {
    const result = await cli('schedule', 'add', 'day', '--daily', '06:00', '--until', '01:00');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /\nWindow of the next run: \w{3} \d{4}-\d\d-\d\d 06:00 Asia\/Tokyo until 01:00 the next day, 19 h\.\n/,
    );
    const full = await cli('schedule', 'set', 'day', '--until', '06:00');
    assert.match(full.stdout, /until 06:00 the next day, 24 h\.\n/);
  });

  test('overlapping windows of one schedule are refused (exit 2), and nothing is stored', async () => {
    const daily = await cli('schedule', 'add', 'long', '--daily', '01:00', '--for', '25h');
    assert.equal(daily.code, 2);
    assert.match(
      daily.stderr,
      /^hfsched: the window of the run at \w{3} \S+ 01:00 Asia\/Tokyo \(until 02:00 the next day, 25 h\) is still open at the next run, \w{3} \S+ 01:00 Asia\/Tokyo; windows of one schedule must not overlap/,
    );
    const hourly = await cli('schedule', 'add', 'hourly', '--cron', '0 * * * *', '--until', '06:00');
    assert.equal(hourly.code, 2);
    assert.deepEqual(db.store.schedules.list(), []);
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00', windowMinutes: 60 });
    const set = await cli('schedule', 'set', 'nightly', '--for', '24h01m');
    assert.equal(set.code, 2);
    assert.equal(db.store.schedules.get(1)?.windowMinutes, 60);
    assert.equal(
      (await cli('schedule', 'set', 'nightly', '--for', '24h')).code,
      0,
      'a window may end as the next opens',
    );
  });

  test('schedule enable, disable and remove --json print the schedule', async () => {
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00' });
    const enabled = parseJsonOutput<ScheduleView>(await cli('schedule', 'enable', '1', '--json'));
    assert.equal(enabled.enabled, true);
    assert.equal(enabled.nextRuns.length, 1);
    const disabled = parseJsonOutput<ScheduleView>(await cli('schedule', 'disable', 'nightly', '--json'));
    assert.equal(disabled.enabled, false);
    const removed = parseJsonOutput<ScheduleView>(await cli('schedule', 'remove', 'nightly', '--json'));
    assert.deepEqual([removed.id, removed.name, removed.nextRuns], [1, 'nightly', []]);
  });

  test('schedule set changes the time, window and concurrency', async () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00', windowEnd: '05:00' });
    const view = parseJsonOutput<ScheduleView>(
      await cli(
        'schedule',
        'set',
        String(schedule.id),
        '--daily',
        '02:15',
        '--for',
        '3h',
        '--max-concurrent',
        '4',
        '--json',
      ),
    );
    assert.equal(view.time, '02:15');
    assert.equal(view.windowMinutes, 180);
    assert.equal(view.windowEnd, null);
    assert.equal(view.maxConcurrentDownloads, 4);
    for (const run of view.nextRuns) assert.match(run, /T17:15:00\.000Z$/);
  });

  test('schedule set --no-window removes the window', async () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00', windowMinutes: 60 });
    const result = await cli('schedule', 'set', String(schedule.id), '--no-window');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(db.store.schedules.get(schedule.id)?.windowMinutes, null);
  });

  test('schedule set cannot turn a daily schedule into a cron one', async () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00' });
    const result = await cli('schedule', 'set', String(schedule.id), '--cron', '0 1 * * *');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /schedule 1 is a daily schedule and cannot become custom; add a new one/);
    assert.equal(db.store.schedules.get(schedule.id)?.type, 'daily');
  });

  test('schedule set without any change exits 2', async () => {
    const schedule = db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:00' });
    const result = await cli('schedule', 'set', String(schedule.id));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hfsched: nothing to change; give --daily/);
  });

  test('schedule remove deletes the schedule', async () => {
    const schedule = db.store.schedules.create({ name: 'old', type: 'daily', time: '01:00' });
    const result = await cli('schedule', 'remove', String(schedule.id));
    assert.equal(result.stdout, 'Removed schedule 1 "old".\n');
    assert.equal(db.store.schedules.get(schedule.id), null);
  });
});
