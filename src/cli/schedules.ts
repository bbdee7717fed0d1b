/**
 * `hfsched schedule add|list|enable|disable|set|remove`: when the daemon
 * downloads. At most one schedule is enabled; a running daemon re-reads it
 * within seconds. Times are read in the `scheduler.timezone` setting
 * (default: the machine's zone). Day of week: 0 = Sunday .. 6 = Saturday.
 */
import type { Command } from 'commander';
import { scheduleTimeZone } from '../config/settings.js';
import { cronPatternFor, describeScheduleTime, describeWindow, nextRunTimes } from '../schedule/schedule-timing.js';
import { DAY_NAMES } from '../schedule/schedule-format.js';
import { ConstraintError, ValidationError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { ScheduleChanges, ScheduleConfiguration } from '../store/types.js';
import { scheduleWhenOf, type ScheduleWhen } from '../schedule/schedule-fields.js';
import { windowInWords } from '../schedule/window-words.js';
import type { CliContext } from './context.js';
import { wholeNumber } from './option-parsers.js';
import { formatTimeInZone, inZone } from './output.js';
import { refuseOverlappingWindows } from './window-overlap.js';
import { findSchedule, sameNamed } from './schedule-reference.js';
import { hasWhen, parseWhen, parseWindow, type WhenOptions, type WindowOptions } from './schedule-options.js';

const WHEN_HELP = {
  daily: 'run every day at HH:MM, e.g. 01:30',
  weekly: 'run once a week, DAY@HH:MM with a day name or 0..6 (0 = Sunday), e.g. sun@01:30 or 0@01:30',
  cron: 'run on a cron pattern (croner syntax, 5 fields or 6 with seconds first), e.g. "0 1 * * 1-5"',
  until: 'close the download window at HH:MM (running downloads pause, and resume at the next run)',
  for: 'close the download window this long after each run: 4h, 90m, 1h30m',
  maxConcurrent: 'downloads at the same time, 1..10',
};

/** A schedule as `--json` prints it: the stored fields plus its pattern and next runs. */
export type ScheduleView = ScheduleConfiguration & {
  pattern: string;
  timezone: string;
  nextRuns: string[];
};

function scheduleView(schedule: ScheduleConfiguration, timezone: string, runs: number): ScheduleView {
  return {
    ...schedule,
    pattern: cronPatternFor(schedule),
    timezone,
    nextRuns: nextRunTimes(schedule, timezone, runs).map((date) => date.toISOString()),
  };
}

function requireSchedule(store: Store, id: number): ScheduleConfiguration {
  return findSchedule(store, String(id));
}

const SCHEDULE_ARGUMENT = ['<schedule>', 'schedule id, or its name when no other schedule has it'] as const;

/** A warning (stderr) when other schedules have this name: then only the id tells them apart. */
function warnSameName(context: CliContext, store: Store, schedule: ScheduleConfiguration): void {
  const others = sameNamed(store, schedule.name, schedule.id);
  if (others.length === 0) return;
  context.output.error(
    `warning: schedule ${others.map((other) => other.id).join(', ')} is also named "${schedule.name}"; refer to these schedules by id`,
  );
}

function summary(schedule: ScheduleConfiguration): string {
  const window = describeWindow(schedule);
  const concurrency = `up to ${schedule.maxConcurrentDownloads} download${schedule.maxConcurrentDownloads === 1 ? '' : 's'} at once`;
  return `${describeScheduleTime(schedule)}, ${concurrency}${window === '' ? '' : `, window ${window}`}`;
}

function printScheduleWithRuns(
  context: CliContext,
  heading: string,
  view: ScheduleView,
  active: ScheduleConfiguration | null,
): void {
  if (context.output.quiet) return;
  context.output.text(`${heading} ${view.id} "${view.name}": ${summary(view)}.`);
  if (view.enabled) context.output.text('It is enabled.');
  else if (active !== null) {
    context.output.text(
      `Schedule ${active.id} "${active.name}" is the enabled one; switch with: hfsched schedule enable ${view.id}`,
    );
  } else context.output.text(`No schedule is enabled; enable this one with: hfsched schedule enable ${view.id}`);
  const first = view.nextRuns[0];
  const window = first === undefined ? null : windowInWords(view, new Date(first), view.timezone);
  if (window !== null && first !== undefined) {
    context.output.text(`Window of the next run: ${formatTimeInZone(new Date(first), view.timezone)} ${window}.`);
  }
  context.output.text(`${inZone('Next runs', view.timezone)}:`);
  context.output.text(
    view.nextRuns.map((run) => `  ${formatTimeInZone(new Date(run), view.timezone, { label: false })}`).join('\n'),
  );
}

/** "daily 01:30", "weekly sun 01:30", "cron 0 22 * * 1-5". */
function defaultScheduleName(when: ScheduleWhen): string {
  if (when.type === 'custom') return `cron ${when.cronPattern ?? ''}`;
  if (when.type === 'weekly')
    return `weekly ${(DAY_NAMES[when.dayOfWeek ?? 0] ?? '').slice(0, 3).toLowerCase()} ${when.time ?? ''}`;
  return `daily ${when.time ?? ''}`;
}

type AddOptions = WhenOptions & WindowOptions & { maxConcurrent: number; enable?: boolean; json?: boolean };

function registerAdd(schedule: Command, context: CliContext): void {
  schedule
    .command('add')
    .description('add a schedule (enabled when no other one is) and show its next three runs')
    .argument('[name]', 'a name for people (default: describes the time)')
    .option('--daily <HH:MM>', WHEN_HELP.daily)
    .option('--weekly <DAY@HH:MM>', WHEN_HELP.weekly)
    .option('--cron <pattern>', WHEN_HELP.cron)
    .option('--max-concurrent <n>', WHEN_HELP.maxConcurrent, wholeNumber(1, 10), 1)
    .option('--until <HH:MM>', WHEN_HELP.until)
    .option('--for <duration>', WHEN_HELP.for)
    .option('--enable', 'enable it now (disabling the enabled one)')
    .option('--json', 'print the schedule and its next runs as JSON')
    .addHelpText(
      'after',
      '\nDays of week: 0 = Sunday, 1 = Monday, ... 6 = Saturday, or names sun..sat.\nExamples:\n' +
        '  hfsched schedule add nightly --daily 01:00 --until 06:00 --max-concurrent 2\n' +
        '  hfsched schedule add weekend --weekly sat@00:30 --for 8h\n' +
        '  hfsched schedule add workdays --cron "0 22 * * 1-5" --for 7h30m',
    )
    .action(async (name: string | undefined, options: AddOptions) => {
      const when = parseWhen(options);
      const window = parseWindow(options);
      const { view, active } = await context.withStore((store) => {
        const timezone = scheduleTimeZone(store, context.env);
        refuseOverlappingWindows(
          { ...when, windowEnd: window?.windowEnd ?? null, windowMinutes: window?.windowMinutes ?? null },
          timezone,
        );
        const created = store.schedules.create({
          name: name ?? defaultScheduleName(when),
          type: when.type,
          time: when.time,
          dayOfWeek: when.dayOfWeek,
          maxConcurrentDownloads: options.maxConcurrent,
          cronPattern: when.cronPattern,
          windowEnd: window?.windowEnd ?? null,
          windowMinutes: window?.windowMinutes ?? null,
        });
        if (options.enable) store.schedules.enable(created.id);
        warnSameName(context, store, created);
        const view = scheduleView(requireSchedule(store, created.id), timezone, 3);
        return { view, active: store.schedules.active() };
      });
      if (options.json) return context.output.json(view);
      printScheduleWithRuns(context, 'Added schedule', view, active);
    });
}

function registerList(schedule: Command, context: CliContext): void {
  schedule
    .command('list')
    .alias('ls')
    .description('list the schedules with their next run and which one is enabled')
    .option('--json', 'print the schedules as JSON')
    .action(async (options: { json?: boolean }) => {
      const views = await context.withStore((store) => {
        const timezone = scheduleTimeZone(store, context.env);
        return store.schedules.list().map((entry) => scheduleView(entry, timezone, 1));
      });
      if (options.json) return context.output.json(views);
      if (views.length === 0) {
        context.output.text('No schedules yet; add one with: hfsched schedule add nightly --daily 01:00');
        return;
      }
      context.output.table(
        ['ID', 'ENABLED', 'NAME', 'WHEN', 'MAX', 'WINDOW', inZone('NEXT RUN', views[0]?.timezone ?? '')],
        views.map((view) => [
          String(view.id),
          view.enabled ? 'yes' : 'no',
          view.name,
          describeScheduleTime(view),
          String(view.maxConcurrentDownloads),
          describeWindow(view) || '-',
          view.nextRuns[0] === undefined
            ? 'never'
            : formatTimeInZone(new Date(view.nextRuns[0]), view.timezone, { label: false }),
        ]),
      );
    });
}

function registerEnableDisable(schedule: Command, context: CliContext): void {
  schedule
    .command('enable')
    .description('enable a schedule (the enabled one, if any, is disabled)')
    .argument(...SCHEDULE_ARGUMENT)
    .option('--json', 'print the schedule as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      const view = await context.withStore((store) => {
        const { id } = findSchedule(store, reference);
        store.schedules.enable(id);
        return scheduleView(requireSchedule(store, id), scheduleTimeZone(store, context.env), 1);
      });
      if (options.json) return context.output.json(view);
      context.output.done(`Schedule ${view.id} "${view.name}" is enabled (${summary(view)}).`);
    });
  schedule
    .command('disable')
    .description('disable a schedule (no scheduled downloads until one is enabled)')
    .argument(...SCHEDULE_ARGUMENT)
    .option('--json', 'print the schedule as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      const view = await context.withStore((store) => {
        const { id } = findSchedule(store, reference);
        store.schedules.disable(id);
        return scheduleView(requireSchedule(store, id), scheduleTimeZone(store, context.env), 1);
      });
      if (options.json) return context.output.json(view);
      context.output.done(`Schedule ${view.id} "${view.name}" is disabled.`);
    });
}

type SetOptions = WhenOptions &
  WindowOptions & { name?: string; maxConcurrent?: number; window: boolean; json?: boolean };

/** The store changes for `schedule set`, checked against the schedule's current type. */
function scheduleChanges(current: ScheduleConfiguration, options: SetOptions): ScheduleChanges {
  const changes: ScheduleChanges = {};
  if (options.name !== undefined) changes.name = options.name;
  if (options.maxConcurrent !== undefined) changes.maxConcurrentDownloads = options.maxConcurrent;
  if (hasWhen(options)) {
    const when = parseWhen(options);
    if (when.type !== current.type) {
      throw new ConstraintError(
        `schedule ${current.id} is a ${current.type} schedule and cannot become ${when.type}; add a new one with "hfsched schedule add" and remove this one with "hfsched schedule remove ${current.id}"`,
      );
    }
    if (when.type === 'custom') changes.cronPattern = when.cronPattern;
    else changes.time = when.time;
    if (when.type === 'weekly') changes.dayOfWeek = when.dayOfWeek;
  }
  const window = parseWindow(options);
  if (!options.window) {
    if (window !== null) throw new ValidationError('give --no-window alone, without --until or --for');
    changes.windowEnd = null;
    changes.windowMinutes = null;
  } else if (window !== null) Object.assign(changes, window);
  if (Object.keys(changes).length === 0) {
    throw new ValidationError(
      'nothing to change; give --daily, --weekly, --cron, --max-concurrent, --until, --for, --no-window or --name',
    );
  }
  return changes;
}

function registerSet(schedule: Command, context: CliContext): void {
  schedule
    .command('set')
    .description('change the time, window, concurrency or name of a schedule (a running daemon picks it up)')
    .argument(...SCHEDULE_ARGUMENT)
    .option('--daily <HH:MM>', WHEN_HELP.daily)
    .option('--weekly <DAY@HH:MM>', WHEN_HELP.weekly)
    .option('--cron <pattern>', WHEN_HELP.cron)
    .option('--max-concurrent <n>', WHEN_HELP.maxConcurrent, wholeNumber(1, 10))
    .option('--until <HH:MM>', WHEN_HELP.until)
    .option('--for <duration>', WHEN_HELP.for)
    .option('--no-window', 'remove the download window (downloads run to the end)')
    .option('--name <name>', 'rename it')
    .option('--json', 'print the changed schedule and its next runs as JSON')
    .addHelpText('after', '\nExample:\n  hfsched schedule set 1 --daily 02:00 --for 5h --max-concurrent 3')
    .action(async (reference: string, options: SetOptions) => {
      const { view, active } = await context.withStore((store) => {
        const current = findSchedule(store, reference);
        const changes = scheduleChanges(current, options);
        const timezone = scheduleTimeZone(store, context.env);
        const after = { ...current, ...changes };
        const timing = { ...scheduleWhenOf(after), windowEnd: after.windowEnd, windowMinutes: after.windowMinutes };
        refuseOverlappingWindows(timing, timezone);
        store.schedules.update(current.id, changes);
        const changed = requireSchedule(store, current.id);
        if (changes.name !== undefined) warnSameName(context, store, changed);
        return { view: scheduleView(changed, timezone, 3), active: store.schedules.active() };
      });
      if (options.json) return context.output.json(view);
      printScheduleWithRuns(context, 'Changed schedule', view, active);
    });
}

function registerRemove(schedule: Command, context: CliContext): void {
  schedule
    .command('remove')
    .alias('rm')
    .description('delete a schedule (its past download sessions stay in the history)')
    .argument(...SCHEDULE_ARGUMENT)
    .option('--json', 'print the removed schedule as JSON (nextRuns is empty)')
    .action(async (reference: string, options: { json?: boolean }) => {
      const removed = await context.withStore((store) => {
        const found = findSchedule(store, reference);
        store.schedules.delete(found.id);
        return { ...scheduleView(found, scheduleTimeZone(store, context.env), 0), enabled: false };
      });
      if (options.json) return context.output.json(removed);
      context.output.done(`Removed schedule ${removed.id} "${removed.name}".`);
    });
}

export function registerScheduleCommands(program: Command, context: CliContext): Command {
  const schedule = program
    .command('schedule')
    .description('add, list, enable, disable and change schedules (day of week: 0 = Sunday)');
  registerAdd(schedule, context);
  registerList(schedule, context);
  registerEnableDisable(schedule, context);
  registerSet(schedule, context);
  registerRemove(schedule, context);
  return schedule;
}
