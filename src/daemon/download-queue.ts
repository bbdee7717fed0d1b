/**
 * The daemon's download queue: a p-queue whose concurrency is the active
 * schedule's `max_concurrent_downloads`, plus the bookkeeping p-queue lacks:
 * which models are waiting or running (so a model is never queued twice) and
 * one AbortController per running download (so a window close, a user pause or
 * a shutdown can stop it while its partial files stay on disk).
 *
 * The queue knows nothing of the database: what a download does is the
 * `runDownload` function it is given.
 */
import PQueue from 'p-queue';

/** What the queue needs to know about a model. */
export interface QueuedModel {
  id: number;
  name: string;
}

export interface RunningDownload extends QueuedModel {
  startedAt: Date;
  signal: AbortSignal;
}

/** Downloads one model; must settle soon after `signal` aborts. */
export type RunDownload = (model: QueuedModel, signal: AbortSignal) => Promise<void>;

export interface DownloadQueueOptions {
  concurrency: number;
  runDownload: RunDownload;
  /** A download that threw instead of recording its own failure. */
  onUnexpectedError: (model: QueuedModel, error: unknown) => void;
}

interface RunningEntry {
  model: QueuedModel;
  controller: AbortController;
  startedAt: Date;
}

export class DownloadQueue {
  private readonly queue: PQueue;
  private readonly runDownload: RunDownload;
  private readonly onUnexpectedError: DownloadQueueOptions['onUnexpectedError'];
  /** Waiting models, in the order they will start (Map keeps insertion order). */
  private readonly waiting = new Map<number, QueuedModel>();
  private readonly running = new Map<number, RunningEntry>();

  constructor(options: DownloadQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.runDownload = options.runDownload;
    this.onUnexpectedError = options.onUnexpectedError;
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Takes effect at once for waiting models; running ones are never stopped by a lower cap. */
  set concurrency(value: number) {
    if (this.queue.concurrency !== value) this.queue.concurrency = value;
  }

  /** Adds a model at the end of the queue; false if it is already waiting or running. */
  enqueue(model: QueuedModel): boolean {
    if (this.has(model.id)) return false;
    this.waiting.set(model.id, { id: model.id, name: model.name });
    void this.queue.add(() => this.start(model.id));
    return true;
  }

  has(modelId: number): boolean {
    return this.waiting.has(modelId) || this.running.has(modelId);
  }

  isWaiting(modelId: number): boolean {
    return this.waiting.has(modelId);
  }

  isRunning(modelId: number): boolean {
    return this.running.has(modelId);
  }

  /** Removes a waiting model; its p-queue task becomes a no-op. */
  removeWaiting(modelId: number): boolean {
    return this.waiting.delete(modelId);
  }

  /** Removes every waiting model and returns them. */
  clearWaiting(): QueuedModel[] {
    const dropped = [...this.waiting.values()];
    this.waiting.clear();
    this.queue.clear();
    return dropped;
  }

  /** Aborts one running download with a reason the worker records; false if it is not running. */
  abort(modelId: number, reason: string): boolean {
    const entry = this.running.get(modelId);
    if (!entry) return false;
    entry.controller.abort(reason);
    return true;
  }

  /** Aborts every running download; returns how many. */
  abortAll(reason: string): number {
    for (const entry of this.running.values()) entry.controller.abort(reason);
    return this.running.size;
  }

  waitingModels(): QueuedModel[] {
    return [...this.waiting.values()];
  }

  runningDownloads(): RunningDownload[] {
    return [...this.running.values()].map((entry) => ({
      ...entry.model,
      startedAt: entry.startedAt,
      signal: entry.controller.signal,
    }));
  }

  /** Nothing waiting and nothing running. */
  isIdle(): boolean {
    return this.waiting.size === 0 && this.running.size === 0;
  }

  /** Settles when every running download has settled (waiting ones are not waited for). */
  async settled(): Promise<void> {
    await this.queue.onPendingZero();
  }

  private async start(modelId: number): Promise<void> {
    const model = this.waiting.get(modelId);
    // Removed while waiting (user pause, window closed): nothing to do.
    if (!model) return;
    this.waiting.delete(modelId);
    const entry: RunningEntry = { model, controller: new AbortController(), startedAt: new Date() };
    this.running.set(modelId, entry);
    try {
      await this.runDownload(model, entry.controller.signal);
    } catch (error) {
      this.onUnexpectedError(model, error);
    } finally {
      this.running.delete(modelId);
    }
  }
}
