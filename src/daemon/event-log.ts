/**
 * The daemon's log of state changes: one line per event (never per chunk),
 * JSON through pino. Lines about a download carry `model` and `schedule`.
 */
import type { Logger } from 'pino';
import type { DaemonEvents } from './events.js';

export function logDaemonEvents(events: DaemonEvents, logger: Logger): void {
  // No pid here: the logger's base fields already carry it on every line.
  events.on('daemon:started', (event) =>
    logger.info(
      {
        database: event.database,
        schedule: event.scheduleId ?? undefined,
        timezone: event.timezone,
        http: event.httpUrl ?? undefined,
      },
      'daemon started',
    ),
  );
  events.on('daemon:stopping', ({ reason, running }) => logger.info({ reason, running }, 'daemon stopping'));
  events.on('daemon:stopped', ({ reason }) => logger.info({ reason }, 'daemon stopped'));
  events.on('commands:expired', ({ count }) =>
    logger.info({ commands: count }, 'dropped commands sent before the daemon started'),
  );
  events.on('schedule:armed', ({ schedule, timezone, nextRunAt }) => {
    if (schedule === null) {
      logger.info('no schedule is enabled; waiting for one (hfsched schedule enable <id>)');
      return;
    }
    logger.info(
      { schedule: schedule.id, scheduleName: schedule.name, timezone, nextRun: nextRunAt?.toISOString() },
      'schedule armed',
    );
  });
  events.on('batch:started', ({ scheduleId, cause, queued, windowEndsAt }) =>
    logger.info(
      { schedule: scheduleId ?? undefined, cause, queued, windowEndsAt: windowEndsAt?.toISOString() ?? null },
      'batch started',
    ),
  );
  events.on('batch:finished', ({ scheduleId }) => logger.info({ schedule: scheduleId ?? undefined }, 'batch finished'));
  events.on('model:queued', ({ model, scheduleId, branchCheck }) =>
    logger.info(
      { model, schedule: scheduleId ?? undefined },
      branchCheck ? 'tracked model queued for a branch check' : 'model queued',
    ),
  );
  events.on('window:closed', ({ scheduleId, reason, stopped, dropped }) =>
    logger.info({ schedule: scheduleId ?? undefined, stopped, dropped }, reason),
  );
  events.on('command:handled', ({ command, modelId, answer }) =>
    logger.info(
      { command, modelId: modelId ?? undefined, status: answer.status, result: answer.message },
      'command handled',
    ),
  );
  events.on('settings:changed', ({ keys }) => logger.info({ settings: keys }, 'settings changed'));
  events.on('concurrency:changed', ({ scheduleId, maxConcurrentDownloads }) =>
    logger.info({ schedule: scheduleId ?? undefined, maxConcurrentDownloads }, 'concurrency changed'),
  );
}
