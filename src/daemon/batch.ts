/**
 * The batch: the download window a firing (or `run-now`) opens, the queue of
 * models it feeds, and which models were already tried in it. The daemon
 * decides when a batch starts; this decides what joins it and stops what
 * must stop when the window closes.
 */
import type { Logger } from 'pino';
import type { RunningDownloads } from '../control/model-commands.js';
import type { HubRuntime } from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import { formatClock } from '../schedule/clock-format.js';
import { windowClosedReason } from '../schedule/stop-reasons.js';
import { modelsToQueue } from './batch-planner.js';
import { BatchWindow } from './batch-window.js';
import { DownloadQueue, type QueuedModel } from './download-queue.js';
import { runModelDownload } from './download-runner.js';
import type { LiveConfig } from './live-config.js';
import type { Clock } from './clock.js';
import type { DaemonEvents } from './events.js';
import { ProgressBoard } from './progress-board.js';

export interface BatchOptions {
  store: Store;
  /** The daemon's Hub runtime: every download and branch check of the batch goes through it. */
  runtime: HubRuntime;
  logger: Logger;
  config: LiveConfig;
  env: NodeJS.ProcessEnv;
  events: DaemonEvents;
  /** Default: the system clock. */
  clock?: Clock;
}

export class Batch implements RunningDownloads {
  readonly queue: DownloadQueue;
  readonly window: BatchWindow;
  readonly board = new ProgressBoard();
  private readonly store: Store;
  private readonly runtime: HubRuntime;
  private readonly logger: Logger;
  private readonly config: LiveConfig;
  private readonly env: NodeJS.ProcessEnv;
  private readonly events: DaemonEvents;
  /** Models queued since the window opened: a failure is retried at the next firing, not at once. */
  private readonly triedInWindow = new Set<number>();

  constructor(options: BatchOptions) {
    this.store = options.store;
    this.runtime = options.runtime;
    this.logger = options.logger;
    this.config = options.config;
    this.env = options.env;
    this.events = options.events;
    this.queue = new DownloadQueue({
      concurrency: options.config.concurrency,
      runDownload: (model, signal) => this.runDownload(model, signal),
      onUnexpectedError: (model, error) =>
        this.logger.error({ model: model.name, err: error }, 'download ended with an unexpected error'),
    });
    this.window = new BatchWindow({
      onClose: (end) => this.closeWindow(end),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
  }

  /** Opens (or extends) the window and queues every eligible model not already queued. */
  start(scheduleId: number | null, windowEndsAt: Date | null, cause: 'schedule' | 'run-now'): number {
    this.window.open(windowEndsAt);
    this.triedInWindow.clear();
    for (const model of this.queue.waitingModels()) this.triedInWindow.add(model.id);
    for (const download of this.queue.runningDownloads()) this.triedInWindow.add(download.id);
    const models = modelsToQueue(this.store, this.config.settings.downloadMaxRetries, (id) => this.queue.has(id));
    for (const model of models) this.enqueue(model);
    this.events.emit('batch:started', { scheduleId, cause, queued: models.length, windowEndsAt });
    return models.length;
  }

  private enqueue(model: Model): void {
    this.triedInWindow.add(model.id);
    if (this.queue.has(model.id)) return;
    // Logged first: with a free slot, the download starts (and logs) inside enqueue.
    // A completed model is queued for the check of its branch; it downloads only if the branch moved.
    this.events.emit('model:queued', {
      modelId: model.id,
      model: model.name,
      scheduleId: this.scheduleId(),
      branchCheck: model.status === 'completed',
    });
    this.queue.enqueue({ id: model.id, name: model.name });
  }

  /** While a window is open, models that became eligible (added, resumed) join the queue. */
  queueNewcomers(): void {
    if (!this.window.isOpen()) return;
    const models = modelsToQueue(
      this.store,
      this.config.settings.downloadMaxRetries,
      (id) => this.queue.has(id) || this.triedInWindow.has(id),
    );
    for (const model of models) this.enqueue(model);
  }

  isRunning(modelId: number): boolean {
    return this.queue.isRunning(modelId);
  }

  stop(modelId: number, reason: string): void {
    this.queue.abort(modelId, reason);
  }

  dropWaiting(modelId: number): void {
    this.queue.removeWaiting(modelId);
  }

  /** A model a user resumed or retried joins an open window at once. Returns the message's ending. */
  admit(model: Model): string {
    if (!this.window.isOpen()) return '; it starts at the next run';
    this.triedInWindow.delete(model.id);
    this.enqueue(model);
    return ' and queued in the open window';
  }

  /** A window without an end lasts as long as its batch. */
  finishIfIdle(): void {
    if (this.window.isOpen() && this.window.endsAt() === null && this.queue.isIdle()) {
      this.window.close();
      this.events.emit('batch:finished', { scheduleId: this.scheduleId() });
    }
  }

  private scheduleId(): number | null {
    return this.config.schedule?.id ?? null;
  }

  private closeWindow(end: Date): void {
    const zone = this.config.settings.schedulerTimezone;
    const reason = windowClosedReason(`${formatClock(end, zone)} ${zone}`);
    const dropped = this.queue.clearWaiting();
    const stopped = this.queue.abortAll(reason);
    this.triedInWindow.clear();
    this.events.emit('window:closed', {
      scheduleId: this.scheduleId(),
      reason,
      stopped,
      dropped: dropped.map((model) => model.name),
    });
  }

  private async runDownload(queued: QueuedModel, signal: AbortSignal): Promise<void> {
    const scheduleId = this.config.schedule?.id ?? null;
    // The worker adds the model and the session to every line it logs.
    const logger = this.logger.child({ schedule: scheduleId ?? undefined });
    this.board.begin(queued.id, queued.name);
    try {
      const outcome = await runModelDownload({
        store: this.store,
        runtime: this.runtime,
        modelId: queued.id,
        scheduleId,
        settings: this.config.settings,
        env: this.env,
        signal,
        logger,
        onProgress: (report) =>
          this.events.emit('download:bytes', { modelId: queued.id, bytes: this.board.update(queued.id, report) }),
      });
      if (outcome.status !== 'skipped') this.events.emit('download:ended', { modelId: queued.id, outcome });
    } finally {
      this.board.end(queued.id);
    }
  }
}
