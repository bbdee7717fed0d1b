/**
 * The daemon's Prometheus metrics, on a registry of its own (not prom-client's
 * global one, so that tests and embedders can run several daemons in one
 * process). Counters listen to the daemon's events (events.ts); gauges
 * read their value when scraped, from the daemon's live state, its Hub
 * runtime (rate limits, the disk gate) and the database.
 *
 * Names follow https://prometheus.io/docs/practices/naming/ (`_total` for
 * counters, base units: bytes and seconds).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DownloadModelOutcome } from '../download/download-model.js';
import type { HubRuntime } from '../hub/index.js';
import type { DaemonEvents } from './events.js';
import { MODEL_STATUSES, type ModelStatus } from '../store/types.js';
import { registerRateLimitMetrics } from './rate-limit-metrics.js';

/** Where the gauges read their values when scraped. */
export interface MetricsSource {
  modelCountsByStatus(): Record<ModelStatus, number>;
  activeDownloads(): number;
  queueLength(): number;
  /** The next firing of the enabled schedule, or null when there is none. */
  nextRunAt(): Date | null;
}

/** The `status` label of `hfsched_downloads_total`: the session's end (a pause cancels the session). */
const STATUS_LABEL = { completed: 'completed', failed: 'failed', paused: 'cancelled' } as const;

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly downloads: Counter<'status'>;
  private readonly failures: Counter<'reason'>;
  private readonly bytes: Counter;

  /**
   * `processMetrics`: prom-client's default process metrics (CPU, memory,
   * event loop lag...). Their event-loop-lag sampler wakes the process every
   * 10 ms (perf_hooks.monitorEventLoopDelay), about 0.5 % of a core measured
   * on an idle daemon, so they are collected only when something can scrape them.
   */
  constructor(
    source: MetricsSource,
    runtime: HubRuntime,
    options: { processMetrics: boolean } = { processMetrics: true },
  ) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'hfsched_' });
    registerRateLimitMetrics(this.registry, runtime.rateLimiter);
    this.downloads = new Counter({
      name: 'hfsched_downloads_total',
      help: 'Downloads ended by this daemon, by outcome (completed, failed, cancelled).',
      labelNames: ['status'],
      registers: [this.registry],
    });
    this.failures = new Counter({
      name: 'hfsched_download_failures_total',
      help: 'Failed downloads by reason (the kind of error).',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.bytes = new Counter({
      name: 'hfsched_downloaded_bytes_total',
      help: 'Bytes received from the Hub by this daemon (resumed bytes already on disk are not counted).',
      registers: [this.registry],
    });
    for (const status of ['completed', 'failed', 'cancelled'] as const) this.downloads.labels(status).inc(0);
    new Gauge({
      name: 'hfsched_models',
      help: 'Models in the database, by status.',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        const counts = source.modelCountsByStatus();
        for (const status of MODEL_STATUSES) this.labels(status).set(counts[status]);
      },
    });
    new Gauge({
      name: 'hfsched_active_downloads',
      help: 'Downloads running now.',
      registers: [this.registry],
      collect() {
        this.set(source.activeDownloads());
      },
    });
    new Gauge({
      name: 'hfsched_queue_length',
      help: 'Models waiting in the queue for a free download slot.',
      registers: [this.registry],
      collect() {
        this.set(source.queueLength());
      },
    });
    new Gauge({
      name: 'hfsched_downloads_waiting_for_space',
      help: 'Running downloads that wait before fetching: for free disk (disk) or for cache budget (budget); the reason is in hfsched status.',
      labelNames: ['reason'],
      registers: [this.registry],
      collect() {
        // The runtime's disk gate: every download of this daemon reserves there.
        const counts = runtime.diskGate.waitingCounts();
        for (const reason of ['disk', 'budget'] as const) this.labels(reason).set(counts[reason]);
      },
    });
    new Gauge({
      name: 'hfsched_next_run_timestamp_seconds',
      help: 'Unix time of the next firing of the enabled schedule; 0 when no schedule is enabled.',
      registers: [this.registry],
      collect() {
        const next = source.nextRunAt();
        this.set(next ? next.getTime() / 1000 : 0);
      },
    });
  }

  /** Counts what the daemon reports: ended downloads and received bytes. */
  listenTo(events: DaemonEvents): void {
    events.on('download:ended', ({ outcome }) => this.downloadEnded(outcome));
    events.on('download:bytes', ({ bytes }) => this.bytesReceived(bytes));
  }

  private downloadEnded(outcome: DownloadModelOutcome): void {
    this.downloads.labels(STATUS_LABEL[outcome.status]).inc();
    // A low-cardinality label: the error's class (NotFoundError, DownloadError, ...).
    if (outcome.status === 'failed') this.failures.labels(outcome.error.name).inc();
  }

  private bytesReceived(count: number): void {
    if (count > 0) this.bytes.inc(count);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
