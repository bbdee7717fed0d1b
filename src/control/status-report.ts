/**
 * What `hfsched status` shows, built from the database alone (so it works
 * from any shell or container that sees the database): is the daemon alive,
 * the enabled schedule and its next run, the open window, the running
 * downloads with bytes, speed and ETA, and the queue.
 *
 * Running downloads come from the open session rows (the worker's records);
 * the daemon's heartbeat adds what only it knows: live byte counts, speed
 * and the queue.
 */
import { scheduleTimeZone } from '../config/settings.js';
import { formatRepoReference, type DaemonQueueEntry, type Store } from '../store/index.js';
import { waitingFor } from '../download/space-wait.js';
import { isHeldUntilRetry } from '../download/corruption-hold.js';
import { daemonLiveness, readLiveness } from './liveness.js';
import { describeScheduleTime, describeWindow, nextRunTimes } from '../schedule/schedule-timing.js';

export interface DaemonView {
  alive: boolean;
  pid: number | null;
  hostname: string | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  heartbeatAt: string | null;
  /** Why it is not alive (null when alive). */
  reason: string | null;
  /** The health and metrics listener, when on. */
  httpUrl: string | null;
}

export interface ScheduleView {
  id: number;
  name: string;
  when: string;
  window: string;
  maxConcurrentDownloads: number;
  timezone: string;
}

export interface RunningDownloadView {
  modelId: number;
  model: string;
  sessionId: number;
  startedAt: string;
  bytesDownloaded: number;
  totalBytes: number | null;
  /** null when unknown (no live daemon measuring it). */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  /** Why it has not started fetching: it waits for disk space or cache budget (null when not). */
  waitingFor: string | null;
}

export interface StatusReport {
  daemon: DaemonView;
  schedule: ScheduleView | null;
  /** ISO 8601; the daemon's own when alive, else computed from the schedule. */
  nextRunAt: string | null;
  windowEndsAt: string | null;
  running: RunningDownloadView[];
  queue: DaemonQueueEntry[];
  /** The zone `status` prints its times in: `scheduler.timezone`, else the machine's (the times here are ISO 8601 UTC). */
  timezone: string;
  /** ISO 8601: the daemon's Hub requests wait for a rate-limit reset until then; null when they do not. */
  rateLimitedUntil: string | null;
  /** The Hub mirrors serving this cache now (hfsched serve, or the daemon with serve.listen). */
  mirrors: MirrorView[];
  /**
   * Models with files on disk whose last check failed: completed ones (the branch check), and those pending
   * again for a retry or a repair (the check before it). Their files are kept; the check runs again next firing.
   */
  failedChecks: FailedCheckView[];
  /** Failed models the scheduler leaves alone until `hfsched model retry` (corrupt bytes, a selection over cache.max_bytes). */
  heldUntilRetry: HeldModelView[];
}

export interface HeldModelView {
  model: string;
  /** The failed download's message: why, and what to do. */
  error: string;
}

function heldModels(store: Store): HeldModelView[] {
  return store.models.list().flatMap((model) => {
    if (!isHeldUntilRetry(store, model)) return [];
    const error = store.downloads.history(model.id, { limit: 1 })[0]?.errorMessage ?? 'failed';
    return [{ model: formatRepoReference(model.repoType, model.name), error }];
  });
}

export interface FailedCheckView {
  model: string;
  /** `completed`, or `pending` (a retry or repair waits for the check). */
  status: string;
  /** ISO 8601 UTC. */
  checkedAt: string | null;
  error: string;
}

function failedChecks(store: Store): FailedCheckView[] {
  return store.models.list().flatMap((model) =>
    (model.status === 'completed' || (model.status === 'pending' && model.currentCommit !== null)) &&
    model.lastCheckError !== null
      ? [
          {
            model: formatRepoReference(model.repoType, model.name),
            status: model.status,
            checkedAt: model.lastCheckedAt,
            error: model.lastCheckError,
          },
        ]
      : [],
  );
}

export interface MirrorView {
  url: string;
  pid: number;
  hostname: string;
  startedAt: string;
  /** Requests and file bytes answered since it started (as of its last heartbeat). */
  requests: number;
  bytesSent: number;
}

/** The mirror rows whose process lives (a fresh heartbeat and, on this host, its pid). */
function liveMirrors(store: Store, now: Date): MirrorView[] {
  return store.mirrors
    .list()
    .filter((row) => daemonLiveness(row, now).alive)
    .map((row) => ({
      url: row.url,
      pid: row.pid,
      hostname: row.hostname,
      startedAt: row.startedAt,
      requests: row.requests,
      bytesSent: row.bytesSent,
    }));
}

export function buildStatusReport(store: Store, env: NodeJS.ProcessEnv, now: Date = new Date()): StatusReport {
  const { record, liveness } = readLiveness(store, now);
  const alive = liveness.alive && record !== null;
  const daemon: DaemonView = {
    alive,
    pid: record?.pid ?? null,
    hostname: record?.hostname ?? null,
    startedAt: record?.startedAt ?? null,
    uptimeSeconds: alive ? Math.max(0, Math.round((now.getTime() - Date.parse(record.startedAt)) / 1000)) : null,
    heartbeatAt: record?.heartbeatAt ?? null,
    reason: liveness.alive ? null : liveness.reason,
    httpUrl: alive ? record.httpUrl : null,
  };
  const active = store.schedules.active();
  const timezone = scheduleTimeZone(store, env);
  const schedule: ScheduleView | null =
    active === null
      ? null
      : {
          id: active.id,
          name: active.name,
          when: describeScheduleTime(active),
          window: describeWindow(active),
          maxConcurrentDownloads: active.maxConcurrentDownloads,
          timezone,
        };
  let nextRunAt: string | null = null;
  if (alive) nextRunAt = record.nextRunAt;
  else if (active !== null) nextRunAt = nextRunTimes(active, timezone, 1, now)[0]?.toISOString() ?? null;

  const live = new Map((alive ? record.running : []).map((entry) => [entry.modelId, entry]));
  const running = store.downloads.openSessions().map(({ session, modelName }): RunningDownloadView => {
    const entry = live.get(session.modelId);
    const bytes = Math.max(entry?.bytesDone ?? 0, session.bytesDownloaded);
    const total = entry?.totalBytes ?? session.totalBytes;
    const speed = entry === undefined ? null : entry.bytesPerSecond;
    const eta = speed !== null && speed > 0 && total !== null ? Math.max(0, Math.round((total - bytes) / speed)) : null;
    return {
      modelId: session.modelId,
      model: modelName,
      sessionId: session.id,
      startedAt: session.startedAt,
      bytesDownloaded: bytes,
      totalBytes: total,
      bytesPerSecond: speed,
      etaSeconds: eta,
      waitingFor: waitingFor(session),
    };
  });
  return {
    daemon,
    schedule,
    nextRunAt,
    windowEndsAt: alive ? record.windowEndsAt : null,
    running,
    queue: alive ? record.queue : [],
    timezone,
    rateLimitedUntil:
      alive && record.rateLimitedUntil !== null && Date.parse(record.rateLimitedUntil) > now.getTime()
        ? record.rateLimitedUntil
        : null,
    mirrors: liveMirrors(store, now),
    failedChecks: failedChecks(store),
    heldUntilRetry: heldModels(store),
  };
}
