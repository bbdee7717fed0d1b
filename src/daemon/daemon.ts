/**
 * The daemon: reads the enabled schedule from SQLite, arms its croner job,
 * and at each firing feeds the eligible models into a queue capped at the
 * schedule's `max_concurrent_downloads`, inside the firing's window. A
 * control loop (once a second) applies CLI changes (schedule, settings, new
 * models, commands) and watches the batch; while idle it only reads
 * `PRAGMA data_version` to learn whether anything changed, and writes the
 * heartbeat once a minute (heartbeat-pacer.ts).
 * The batch itself (window, queue, who was tried) is src/daemon/batch.ts.
 *
 * The record keeping of a download (sessions, model status, progress) is the
 * worker's (src/download/download-model.ts); the daemon decides what runs when
 * and stops what must stop, by aborting with a reason the worker records.
 */
import type { Logger } from 'pino';
import type { RunningDownloads } from '../control/model-commands.js';
import { openStore, type Store } from '../store/index.js';
import { HubRuntime } from '../hub/index.js';
import { Batch } from './batch.js';
import type { Clock } from './clock.js';
import { isLoopbackHost } from '../system/loopback-host.js';
import { logDaemonEvents } from './event-log.js';
import { createDaemonEvents, type DaemonEvents } from './events.js';
import { handleDaemonCommands, type CommandTarget } from './command-handler.js';
import { startHealthServer, type HealthReport, type HealthServer } from './health-server.js';
import { HeartbeatPacer } from './heartbeat-pacer.js';
import { LiveConfig } from './live-config.js';
import { DaemonMetrics } from './metrics.js';
import { recoverAfterCrash, repairAbandonedSessions } from './recovery.js';
import { registerDaemon } from './registration.js';
import { ScheduleTrigger, type Firing } from './schedule-trigger.js';
import { formatClock } from '../schedule/clock-format.js';
import { parseListenAddress } from '../config/setting-types.js';
import { mirrorSettings, serveMirror, type ServingMirror } from '../serve/serve-mirror.js';
import { STOP_REASON_SHUTDOWN } from '../schedule/stop-reasons.js';

/** How often the control loop looks for open sessions that nothing runs any more. */
const REPAIR_EVERY_MS = 10_000;
/** The control loop's period: how soon a change made with the CLI is seen. */
const CONTROL_TICK_MS = 1000;
/** The health check calls the loop stuck after this long without a tick. */
const LOOP_STALE_MS = 5000;

export interface DaemonOptions {
  databasePath: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The control loop's period (default CONTROL_TICK_MS). */
  tickMs?: number;
  /** The schedule's and the windows' clock; default: the system clock. */
  clock?: Clock;
}

export class Daemon implements CommandTarget {
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly config: LiveConfig;
  private readonly batch: Batch;
  private readonly trigger: ScheduleTrigger;
  private readonly metrics: DaemonMetrics;
  /** The Hub connections, limits and disk gate that every download and check of this daemon shares. */
  private readonly runtime: HubRuntime;
  /** What happens in the daemon; the log and the metrics listen (events.ts). */
  readonly events: DaemonEvents = createDaemonEvents();
  private health: HealthServer | null = null;
  /** The Hub mirror over the cache, when `serve.listen` is set (src/serve/). */
  private mirror: ServingMirror | null = null;
  private readonly env: NodeJS.ProcessEnv;
  private loop: NodeJS.Timeout | null = null;
  private lastTickAt = Date.now();
  private lastTickError: string | null = null;
  private lastRepairAt = Date.now();
  /** `PRAGMA data_version` at the last re-read; null before the first. */
  private lastDataVersion: number | null = null;
  private readonly heartbeat = new HeartbeatPacer();
  private stopping: Promise<void> | null = null;
  private resolveDone!: (code: number) => void;
  /** Settles with the exit code once the daemon has stopped (by a signal, or by itself). */
  readonly done: Promise<number>;

  private constructor(store: Store, options: DaemonOptions, config: LiveConfig) {
    this.store = store;
    this.logger = options.logger;
    this.config = config;
    this.env = options.env;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const clock = options.clock !== undefined ? { clock: options.clock } : {};
    logDaemonEvents(this.events, options.logger);
    this.runtime = new HubRuntime({ bandwidthLimit: config.settings.downloadBandwidthLimit });
    this.batch = new Batch({
      store,
      runtime: this.runtime,
      logger: options.logger,
      config,
      env: options.env,
      events: this.events,
      ...clock,
    });
    this.trigger = new ScheduleTrigger({
      onFire: (firing) => this.onFire(firing),
      onError: (error) => this.logger.error({ err: error }, 'schedule firing failed'),
      ...clock,
    });
    this.metrics = new DaemonMetrics(
      {
        modelCountsByStatus: () => this.store.models.countByStatus(),
        activeDownloads: () => this.batch.queue.runningDownloads().length,
        queueLength: () => this.batch.queue.waitingModels().length,
        nextRunAt: () => this.trigger.nextRunAt(),
      },
      this.runtime,
      { processMetrics: config.settings.httpPort !== 0 },
    );
    this.metrics.listenTo(this.events);
  }

  /**
   * Opens the database, registers as its only daemon (ConstraintError when
   * another one is alive), repairs what a crash left, arms the schedule and
   * starts the control loop and the optional health listener.
   */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const store = openStore(options.databasePath);
    try {
      registerDaemon(store, options.databasePath);
      const config = LiveConfig.load(store, options.env);
      options.logger.level = config.settings.logLevel;
      const daemon = new Daemon(store, options, config);
      await daemon.begin(options.tickMs ?? CONTROL_TICK_MS);
      return daemon;
    } catch (error) {
      // Our registration (if any) goes, so that a fixed restart is not refused.
      if (store.isOpen) {
        try {
          store.daemon.release(process.pid);
        } catch {
          // The original error matters more.
        }
        store.close();
      }
      throw error;
    }
  }

  private async begin(tickMs: number): Promise<void> {
    const expired = this.store.daemon.expireCommands('sent while no daemon was running; send it again');
    if (expired > 0) this.events.emit('commands:expired', { count: expired });
    recoverAfterCrash(this.store, this.logger);
    const settings = this.config.settings;
    if (settings.httpPort !== 0) {
      this.health = await startHealthServer({
        host: settings.httpHost,
        port: settings.httpPort,
        health: () => this.healthReport(),
        metrics: this.metrics,
        onError: (error) => this.logger.error({ err: error }, 'health listener request failed'),
      });
      if (!isLoopbackHost(settings.httpHost)) {
        this.logger.warn(
          { http: this.health.url },
          `the health and metrics listener is reachable beyond this machine (http.host ${settings.httpHost}); anyone who can reach it can read /metrics; firewall it, or set http.host 127.0.0.1`,
        );
      }
    }
    await this.startMirror();
    this.armSchedule();
    this.writeHeartbeat();
    this.loop = setInterval(() => this.tick(), tickMs);
    this.events.emit('daemon:started', {
      pid: process.pid,
      database: this.store.path,
      scheduleId: this.config.schedule?.id ?? null,
      timezone: settings.schedulerTimezone,
      httpUrl: this.health?.url ?? null,
    });
  }

  /**
   * Stops firing, drops waiting models, aborts running downloads (the worker
   * records them `cancelled` / `paused`), waits up to `graceMs` for them to
   * settle, unregisters and closes the database. Calling it again returns the
   * same promise.
   */
  stop(reason: string, graceMs = 7000): Promise<void> {
    this.stopping ??= this.shutdown(reason, graceMs, 0);
    return this.stopping;
  }

  private async shutdown(reason: string, graceMs: number, exitCode: number): Promise<void> {
    this.events.emit('daemon:stopping', { reason, running: this.batch.queue.runningDownloads().length });
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    this.trigger.disarm();
    this.batch.window.close();
    this.batch.queue.clearWaiting();
    this.batch.queue.abortAll(STOP_REASON_SHUTDOWN);
    let timer: NodeJS.Timeout | undefined;
    const settledInTime = await Promise.race([
      this.batch.queue.settled().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!settledInTime) {
      this.logger.warn(
        { downloads: this.batch.queue.runningDownloads().map((download) => download.name) },
        'downloads did not stop in time; their sessions are repaired at the next start',
      );
    }
    await this.mirror?.stop();
    await this.health?.close();
    this.runtime.close();
    try {
      this.store.daemon.release(process.pid);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not unregister the daemon');
    }
    this.store.close();
    this.events.emit('daemon:stopped', { reason });
    this.resolveDone(exitCode);
  }

  /** The single writer also serves what it downloads: the mirror on `serve.listen`, from this daemon's store. */
  private async startMirror(): Promise<void> {
    const listen = this.config.settings.serveListen;
    if (listen === '') return;
    const address = parseListenAddress(listen);
    if (address === null) return; // The setting's own check refuses such a value.
    try {
      this.mirror = await serveMirror({
        store: this.store,
        host: address.host,
        port: address.port,
        settings: () => mirrorSettings(this.config.settings, this.env),
        registry: this.metrics.registry,
        serveMetrics: false,
        logger: this.logger,
      });
    } catch (error) {
      await this.health?.close();
      throw error;
    }
  }

  // ------------------------------------------------------------ the schedule and its windows

  private armSchedule(): void {
    const schedule = this.config.schedule;
    const timezone = this.config.settings.schedulerTimezone;
    try {
      this.trigger.arm(schedule, timezone);
    } catch (error) {
      this.trigger.disarm();
      this.logger.error(
        { schedule: schedule?.id, err: error },
        'cannot arm the schedule; fix it with hfsched schedule set',
      );
      return;
    }
    this.events.emit('schedule:armed', {
      schedule: schedule === null ? null : { id: schedule.id, name: schedule.name },
      timezone,
      nextRunAt: this.trigger.nextRunAt(),
    });
  }

  private onFire(firing: Firing): void {
    this.batch.start(firing.schedule.id, firing.windowEndsAt, 'schedule');
    // Publish the open window now, not at the next tick: a model added in
    // the second after a firing was told "pending until the next run".
    this.writeHeartbeat();
  }

  // ------------------------------------------------------------ commands from the CLI

  runNow(): string {
    const schedule = this.config.schedule;
    const timezone = this.config.settings.schedulerTimezone;
    const end = schedule === null ? null : this.trigger.windowEndForFiringAt(new Date());
    const queued = this.batch.start(schedule?.id ?? null, end, 'run-now');
    const window = end === null ? 'no window end' : `window until ${formatClock(end, timezone)} ${timezone}`;
    return `batch started: ${queued} model(s) queued, ${window}`;
  }

  /** Pause, resume and retry act on the batch (src/control/model-commands.ts). */
  get downloads(): RunningDownloads {
    return this.batch;
  }

  // ------------------------------------------------------------ the control loop

  /**
   * One pass of the control loop. Each step runs on its own, so that one
   * failing (say, an invalid setting written straight into the database)
   * neither blocks the others nor stops the heartbeat that tells the CLI this
   * daemon is alive.
   */
  private tick(): void {
    this.lastTickAt = Date.now();
    const problems: string[] = [];
    const step = (name: string, work: () => void): void => {
      try {
        work();
      } catch (error) {
        const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
        problems.push(message);
        // Log a persisting problem once, not every second.
        if (!(this.lastTickError ?? '').includes(message)) {
          this.logger.error({ step: name, err: error }, 'control loop step failed; retrying every second');
        }
      }
    };
    const changedOutside = this.changedOutside();
    if (changedOutside || this.batch.window.isOpen() || this.lastTickError !== null) {
      step('configuration', () => this.applyConfigChanges());
      step('commands', () => handleDaemonCommands(this.store, this, this.events));
      step('queue', () => {
        this.batch.queueNewcomers();
        this.batch.finishIfIdle();
      });
    }
    step('repair', () => this.repairAbandoned());
    if (!this.databaseFileChanged()) step('heartbeat', () => this.writeHeartbeat(changedOutside));
    this.lastTickError = problems.length === 0 ? null : problems.join('; ');
  }

  /**
   * Whether another connection committed since the last tick. Everything
   * the CLI changes arrives that way and changes `PRAGMA data_version` (our
   * own writes do not), so while idle that one cheap read is all a tick
   * does. While a batch window is open the loop reads everything every tick
   * anyway (a model waiting for its retry time becomes due by the clock
   * alone), and after a failed step it tries again.
   */
  private changedOutside(): boolean {
    let version: number | null;
    try {
      version = this.store.dataVersion();
    } catch {
      version = null; // The steps then meet and report the database's problem.
    }
    const changed = version === null || version !== this.lastDataVersion;
    this.lastDataVersion = version;
    return changed;
  }

  /** Every REPAIR_EVERY_MS: sessions no task runs any more (recovery.ts). */
  private repairAbandoned(): void {
    if (Date.now() - this.lastRepairAt < REPAIR_EVERY_MS) return;
    this.lastRepairAt = Date.now();
    repairAbandonedSessions(this.store, this.logger, (modelId) => this.batch.queue.isRunning(modelId));
  }

  private applyConfigChanges(): void {
    const before = this.config.settings;
    const changes = this.config.refresh();
    const settings = this.config.settings;
    if (changes.settings.length > 0) {
      this.events.emit('settings:changed', { keys: changes.settings });
      if (settings.logLevel !== before.logLevel) this.logger.level = settings.logLevel;
      if (settings.downloadBandwidthLimit !== before.downloadBandwidthLimit) {
        // At once for the running downloads too (each download also sets it when it starts: snapshot-settings.ts).
        this.runtime.bandwidth.setRate(settings.downloadBandwidthLimit);
      }
      if (settings.httpPort !== before.httpPort || settings.httpHost !== before.httpHost) {
        this.logger.warn('http.port and http.host apply at the next start of the daemon');
      }
      if (settings.serveListen !== before.serveListen) {
        this.logger.warn('serve.listen applies at the next start of the daemon');
      }
    }
    if (changes.concurrency) {
      this.batch.queue.concurrency = this.config.concurrency;
      this.events.emit('concurrency:changed', {
        scheduleId: this.config.schedule?.id ?? null,
        maxConcurrentDownloads: this.config.concurrency,
      });
    }
    if (changes.timing) this.armSchedule();
    else if (this.config.schedule !== null) this.trigger.updateSchedule(this.config.schedule);
  }

  /**
   * Writes the heartbeat when what it publishes changed, or when the last one
   * is HEARTBEAT_MAX_INTERVAL_MS old (heartbeat-pacer.ts). false when another
   * daemon has taken the registration over: this one stops. A takeover is a
   * commit from elsewhere, so after one (`changedOutside`) the registration is
   * read even when no heartbeat is due.
   */
  private writeHeartbeat(changedOutside = false): boolean {
    const snapshot = {
      scheduleId: this.config.schedule?.id ?? null,
      nextRunAt: this.trigger.nextRunAt(),
      windowEndsAt: this.batch.window.endsAt(),
      queue: this.batch.queue.waitingModels().map((model) => ({ modelId: model.id, model: model.name })),
      running: this.batch.board.snapshot(),
      httpUrl: this.health?.url ?? null,
      rateLimitedUntil: this.runtime.rateLimiter.limitedUntil(),
    };
    const published = JSON.stringify(snapshot);
    let registered: boolean;
    if (this.heartbeat.isDue(published)) {
      registered = this.store.daemon.heartbeat(process.pid, snapshot);
      this.heartbeat.written(published);
    } else {
      registered = !changedOutside || this.store.daemon.status()?.pid === process.pid;
    }
    if (!registered && this.stopping === null) {
      this.logger.error('another daemon has registered on this database; stopping this one');
      this.stopping = this.shutdown('replaced by another daemon', 7000, 1);
    }
    return registered;
  }

  /**
   * Whether the database file was deleted or replaced under this daemon
   * (src/store/database-identity.ts): it would write on into a file no one
   * sees, beside a new database and perhaps a second daemon. It stops.
   */
  private databaseFileChanged(): boolean {
    const change = this.store.fileChange();
    if (change === null) return false;
    if (this.stopping === null) {
      this.logger.error(
        { db: this.store.path, reason: change },
        `${change}; stopping this daemon, which was still using the old file: start it again to use the database now at that path`,
      );
      this.stopping = this.shutdown('database file replaced', 7000, 1);
    }
    return true;
  }

  private healthReport(): HealthReport {
    const checks: Record<string, string> = {};
    const loopAge = Date.now() - this.lastTickAt;
    checks.loop = loopAge <= LOOP_STALE_MS ? 'ok' : `no tick for ${Math.round(loopAge / 1000)} s`;
    try {
      this.store.ping();
      checks.database = 'ok';
    } catch (error) {
      checks.database = error instanceof Error ? error.message : String(error);
    }
    if (this.lastTickError !== null) checks.control = this.lastTickError;
    return { healthy: Object.values(checks).every((value) => value === 'ok'), checks };
  }
}
