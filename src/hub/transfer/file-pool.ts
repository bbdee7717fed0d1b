/**
 * The files of one snapshot, downloaded several at a time (snapshot-download.ts).
 * How many adapts as a file's connections do (lane-controller.ts): start with
 * eight (files of a MiB or more: as many as allowed, see FilePoolOptions.startWith);
 * when the first bytes show each file held below a fast link's rate
 * (a CDN that caps each connection, files too small for several connections
 * each), open as many as allowed at once; keep what pays, and halve on a 429,
 * 503 or network error. Never more than the configured most, nor more than
 * the snapshot's connection budget (its files' lanes share it) allows beyond
 * the files it started with.
 */
import { LaneController, sampleEvery, type ConnectionBudget } from './lane-controller.js';

/**
 * Files at a time to begin with (fewer when the configured most is lower):
 * as many as huggingface_hub's snapshot_download runs (max_workers=8).
 */
export const FILES_TO_START = 8;

export interface FilePoolOptions {
  /** Most files at a time (download.concurrent_files). */
  maxFiles: number;
  /** Bytes received so far, all files together: what the rate is judged on. */
  receivedBytes: () => number;
  /**
   * The snapshot's connections: each running file holds one (its first lane's,
   * blob-transfer.ts), and a file is added only while one is left.
   */
  connections: ConnectionBudget;
  /**
   * Files to start with (at most maxFiles), FILES_TO_START unless given.
   * They run whatever the budget, so never more than it holds.
   */
  startWith?: number;
}

export class FilePool<T> {
  private readonly files: LaneController;
  private next = 0;
  private running = 0;
  private failure: { error: unknown } | null = null;
  private settle: () => void = () => {};
  /** The most files that ran at once: for logs and tests. */
  peak = 0;

  constructor(
    private readonly items: readonly T[],
    private readonly task: (item: T) => Promise<void>,
    private readonly options: FilePoolOptions,
  ) {
    this.files = new LaneController(Math.min(options.startWith ?? FILES_TO_START, options.maxFiles), options.maxFiles);
  }

  /** The server pushes back, or connections fail: fewer files at a time from now on. */
  backOff(): void {
    this.files.backOff();
  }

  /**
   * Runs `task` over every item. After a failure starts no new task, calls
   * `onFailure` once, settles all running tasks, then rejects with it.
   */
  async run(onFailure: (error: unknown) => void): Promise<void> {
    const done = new Promise<void>((resolve) => (this.settle = resolve));
    const starting = Math.min(this.files.target, this.items.length);
    for (let index = 0; index < starting; index++) this.startWorker(onFailure);
    if (this.running === 0) return;
    // Nothing to learn when every file has started, or no more may: no timer.
    const stopSampling =
      this.items.length <= starting || this.options.maxFiles <= starting
        ? null
        : sampleEvery(this.files, this.options.receivedBytes, (wanted) => {
            while (this.running < wanted && this.hasWork() && this.options.connections.hasRoom())
              this.startWorker(onFailure);
          });
    try {
      await done;
    } finally {
      stopSampling?.();
    }
    if (this.failure !== null) throw this.failure.error;
  }

  private hasWork(): boolean {
    return this.failure === null && this.next < this.items.length;
  }

  private startWorker(onFailure: (error: unknown) => void): void {
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    // Forced: the files it starts with run whatever the budget (it holds at least as many).
    this.options.connections.take(true);
    void this.work(onFailure).finally(() => {
      this.options.connections.release();
      this.running -= 1;
      if (this.running === 0) this.settle();
    });
  }

  /** Takes files one after another; leaves between two when fewer are wanted (a back-off). */
  private async work(onFailure: (error: unknown) => void): Promise<void> {
    while (this.hasWork() && this.running <= this.files.target) {
      const item = this.items[this.next]!;
      this.next += 1;
      try {
        await this.task(item);
      } catch (error) {
        if (this.failure === null) {
          this.failure = { error };
          onFailure(error);
        }
      }
    }
  }
}
