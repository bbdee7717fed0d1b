/**
 * What the daemon knows about its running downloads beyond the database:
 * live byte counts and speed, from the Hub client's progress reports. The
 * heartbeat publishes it for `hfsched status`; the session rows carry the
 * same bytes, written at a bounded rate by the worker.
 */
import type { DaemonRunningEntry } from '../store/index.js';
import { TransferRate } from '../system/transfer-rate.js';

interface BoardEntry {
  modelId: number;
  model: string;
  startedAt: Date;
  bytesDone: number;
  totalBytes: number | null;
  fetchedBytes: number;
  rate: TransferRate;
}

export interface ProgressReport {
  doneBytes: number;
  totalBytes: number;
  fetchedBytes: number;
}

export class ProgressBoard {
  private readonly entries = new Map<number, BoardEntry>();

  begin(modelId: number, model: string): void {
    this.entries.set(modelId, {
      modelId,
      model,
      startedAt: new Date(),
      bytesDone: 0,
      totalBytes: null,
      fetchedBytes: 0,
      rate: new TransferRate(),
    });
  }

  /** Records a report and returns the bytes received since the previous one (for the metrics). */
  update(modelId: number, report: ProgressReport): number {
    const entry = this.entries.get(modelId);
    if (!entry) return 0;
    const received = Math.max(0, report.fetchedBytes - entry.fetchedBytes);
    entry.bytesDone = report.doneBytes;
    entry.totalBytes = report.totalBytes;
    entry.fetchedBytes = report.fetchedBytes;
    entry.rate.record(report.fetchedBytes);
    return received;
  }

  end(modelId: number): void {
    this.entries.delete(modelId);
  }

  snapshot(now: number = performance.now()): DaemonRunningEntry[] {
    return [...this.entries.values()].map((entry) => ({
      modelId: entry.modelId,
      model: entry.model,
      sessionId: null,
      bytesDone: entry.bytesDone,
      totalBytes: entry.totalBytes,
      bytesPerSecond: entry.rate.bytesPerSecond(now),
      startedAt: entry.startedAt.toISOString(),
    }));
  }
}
