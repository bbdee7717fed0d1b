/**
 * What `hfsched pull` shows while it downloads. On a terminal: cli-progress
 * bars, the total (bytes, speed, ETA, files) and one per file in flight. Not
 * on a terminal (a log, a pipe, CI): plain lines, one per file in place and a
 * progress line every PLAIN_PROGRESS_EVERY_MS. Both on stderr; stdout keeps
 * only the result (the snapshot path), for scripts.
 */
import type cliProgressModule from 'cli-progress';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type { FileDoneEvent, RetryEvent, SnapshotProgress } from '../hub/index.js';
import { printableName } from '../system/printable.js';
import { formatBytes, formatDuration } from '../system/human-units.js';
import { TransferRate } from '../system/transfer-rate.js';

// Loaded only for a terminal: its 16 modules cost about 25 ms of start-up that a pull from cron need not pay.
const require = createRequire(import.meta.url);
let loadedCliProgress: typeof cliProgressModule | null = null;
function cliProgressLibrary(): typeof cliProgressModule {
  loadedCliProgress ??= require('cli-progress') as typeof cliProgressModule;
  return loadedCliProgress;
}

const PLAIN_PROGRESS_EVERY_MS = 10_000;
const PLAIN_FLUSH_EVERY_MS = 200;
const NAME_WIDTH = 32;

export interface PullDisplay {
  progress(progress: SnapshotProgress): void;
  fileDone(file: FileDoneEvent): void;
  retry(event: RetryEvent): void;
  /** Removes the bars (the terminal is left clean for the summary). */
  stop(): void;
}

/** `downloading "x" of "org/name": connect ECONNREFUSED ...; retry 2/5 in 2s` */
export function retryLine(event: RetryEvent): string {
  return `${printableName(event.what)}: ${printableName(event.reason)}; retry ${event.retry}/${event.maxRetries} in ${formatDuration(event.delayMs / 1000)}\n`;
}

function etaText(progress: SnapshotProgress, speed: number): string {
  const left = progress.totalBytes - progress.doneBytes;
  if (left <= 0) return '0s';
  return speed > 0 ? formatDuration(left / speed) : '?';
}

function shortName(name: string): string {
  const path = printableName(name);
  return path.length <= NAME_WIDTH ? path.padEnd(NAME_WIDTH) : `…${path.slice(path.length - NAME_WIDTH + 1)}`;
}

interface BarPayload {
  line: (bar: string, percentage: string) => string;
}

class TerminalDisplay implements PullDisplay {
  private readonly multibar: cliProgressModule.MultiBar;
  private readonly total: cliProgressModule.SingleBar;
  private readonly fileBars = new Map<string, { bar: cliProgressModule.SingleBar; speed: TransferRate }>();
  private readonly speed = new TransferRate();

  constructor(
    stream: Writable,
    private readonly repoId: string,
  ) {
    const cliProgress = cliProgressLibrary();
    this.multibar = new cliProgress.MultiBar(
      {
        stream: stream as unknown as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
        barsize: 24,
        format: (options, params, payload: BarPayload) =>
          payload.line(
            cliProgress.Format.BarFormat(params.progress, options),
            `${Math.floor(params.progress * 100)}`.padStart(3),
          ),
      },
      cliProgress.Presets.shades_classic,
    );
    this.total = this.multibar.create(1, 0, { line: () => `${this.repoId}  listing files…` } satisfies BarPayload);
  }

  progress(progress: SnapshotProgress): void {
    this.speed.record(progress.fetchedBytes);
    const speed = this.speed.bytesPerSecond();
    const totalLine = (bar: string, percentage: string): string =>
      `${shortName(this.repoId)} ${bar} ${percentage}%  ${formatBytes(progress.doneBytes)}/${formatBytes(progress.totalBytes)}  ` +
      `${formatBytes(speed)}/s  ETA ${etaText(progress, speed)}  files ${progress.filesDone}/${progress.fileCount}`;
    this.total.setTotal(Math.max(1, progress.totalBytes));
    this.total.update(progress.doneBytes, { line: totalLine } satisfies BarPayload);

    const active = new Set(progress.files.map((file) => file.path));
    for (const [path, entry] of this.fileBars) {
      if (!active.has(path)) {
        this.multibar.remove(entry.bar);
        this.fileBars.delete(path);
      }
    }
    for (const file of progress.files) {
      let entry = this.fileBars.get(file.path);
      const speed = entry?.speed ?? new TransferRate();
      speed.record(file.doneBytes);
      const rate = speed.bytesPerSecond();
      const left = rate > 0 ? formatDuration((file.size - file.doneBytes) / rate) : '?';
      const line = (bar: string, percentage: string): string =>
        `  ${shortName(file.path)} ${bar} ${percentage}%  ${formatBytes(file.doneBytes)}/${formatBytes(file.size)}  ` +
        (file.state === 'verifying' ? 'verifying' : `${formatBytes(rate)}/s  ETA ${left}`);
      if (entry === undefined) {
        entry = {
          bar: this.multibar.create(Math.max(1, file.size), file.doneBytes, { line } satisfies BarPayload),
          speed,
        };
        this.fileBars.set(file.path, entry);
      } else {
        entry.bar.update(file.doneBytes, { line } satisfies BarPayload);
      }
    }
  }

  fileDone(file: FileDoneEvent): void {
    this.multibar.log(
      `${file.cached ? 'cached    ' : 'downloaded'}  ${printableName(file.path)}  (${formatBytes(file.size)})\n`,
    );
  }

  retry(event: RetryEvent): void {
    this.multibar.log(retryLine(event));
  }

  stop(): void {
    this.multibar.stop();
  }
}

/**
 * Lines are gathered and written a few times a second: a repository of
 * thousands of small files would otherwise cost a system call per file.
 */
class PlainDisplay implements PullDisplay {
  private readonly speed = new TransferRate();
  private lastLine = performance.now();
  private pending = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: Writable,
    private readonly repoId: string,
  ) {}

  private write(line: string): void {
    this.pending += line;
    this.timer ??= setTimeout(() => this.flush(), PLAIN_FLUSH_EVERY_MS);
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === '') return;
    this.stream.write(this.pending);
    this.pending = '';
  }

  progress(progress: SnapshotProgress): void {
    this.speed.record(progress.fetchedBytes);
    const now = performance.now();
    if (now - this.lastLine < PLAIN_PROGRESS_EVERY_MS) return;
    this.lastLine = now;
    const speed = this.speed.bytesPerSecond();
    const percent = progress.totalBytes === 0 ? 100 : Math.floor((progress.doneBytes / progress.totalBytes) * 100);
    this.write(
      `${this.repoId}: ${formatBytes(progress.doneBytes)} of ${formatBytes(progress.totalBytes)} (${percent}%), ` +
        `${formatBytes(speed)}/s, ETA ${etaText(progress, speed)}, files ${progress.filesDone}/${progress.fileCount}\n`,
    );
  }

  fileDone(file: FileDoneEvent): void {
    this.write(`${file.cached ? 'cached' : 'downloaded'}  ${printableName(file.path)}  (${formatBytes(file.size)})\n`);
  }

  retry(event: RetryEvent): void {
    this.write(retryLine(event));
    this.flush();
  }

  stop(): void {
    this.flush();
  }
}

/** Bars when `stream` is a terminal, plain lines otherwise. */
/** What `--quiet` shows: nothing. */
const SILENT_DISPLAY: PullDisplay = { progress() {}, fileDone() {}, retry() {}, stop() {} };

export function createPullDisplay(stream: Writable & { isTTY?: boolean }, repoId: string, quiet = false): PullDisplay {
  if (quiet) return SILENT_DISPLAY;
  return stream.isTTY === true ? new TerminalDisplay(stream, repoId) : new PlainDisplay(stream, repoId);
}
