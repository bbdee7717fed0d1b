/**
 * Counts bytes as they arrive and tells the caller at a bounded rate: a
 * multi-GB download must not call back for every 64 KB read, nor a model of
 * thousands of small files four times per file (start, resumed bytes,
 * verifying, done): a file's changes show in the next report, at most
 * PROGRESS_INTERVAL_MS later, as its bytes do. Blobs shared by
 * several paths of the snapshot count once per path when done, so the totals
 * match the sizes a user sees in the snapshot folder.
 */
import type { FileProgress, SnapshotProgress } from '../types.js';

export const PROGRESS_INTERVAL_MS = 200;

interface ActiveBlob extends FileProgress {
  etag: string;
}

export class ProgressTracker {
  private readonly active = new Map<string, ActiveBlob>();
  private finishedBytes = 0;
  private filesDone = 0;
  private fetchedBytes = 0;
  private lastEmit = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly fileCount: number,
    private readonly onProgress: ((progress: SnapshotProgress) => void) | undefined,
  ) {}

  get fetched(): number {
    return this.fetchedBytes;
  }

  started(etag: string, path: string, size: number): void {
    this.active.set(etag, { etag, path, size, doneBytes: 0, state: 'downloading' });
    this.emit(false);
  }

  /** The blob's bytes on disk now (what was resumed; 0 after a restart). */
  onDisk(etag: string, bytes: number): void {
    const blob = this.active.get(etag);
    if (blob === undefined) return;
    blob.doneBytes = bytes;
    blob.state = 'downloading';
    this.emit(false);
  }

  received(etag: string, bytes: number): void {
    this.fetchedBytes += bytes;
    const blob = this.active.get(etag);
    if (blob !== undefined) blob.doneBytes += bytes;
    this.emit(false);
  }

  verifying(etag: string): void {
    const blob = this.active.get(etag);
    if (blob !== undefined) blob.state = 'verifying';
    this.emit(false);
  }

  /** The blob is in place for `pathCount` files of the snapshot. */
  finished(etag: string, size: number, pathCount: number): void {
    this.active.delete(etag);
    this.finishedBytes += size * pathCount;
    this.filesDone += pathCount;
    this.emit(false);
  }

  /** A blob that stopped without finishing (pause, failure). */
  dropped(etag: string): void {
    this.active.delete(etag);
  }

  snapshot(): SnapshotProgress {
    let inFlight = 0;
    const files: FileProgress[] = [];
    for (const blob of this.active.values()) {
      inFlight += blob.doneBytes;
      files.push({ path: blob.path, size: blob.size, doneBytes: blob.doneBytes, state: blob.state });
    }
    return {
      totalBytes: this.totalBytes,
      doneBytes: Math.min(this.totalBytes, this.finishedBytes + inFlight),
      fetchedBytes: this.fetchedBytes,
      fileCount: this.fileCount,
      filesDone: this.filesDone,
      files,
    };
  }

  /** Calls back now if `force`, else if PROGRESS_INTERVAL_MS has passed since the last call. */
  emit(force: boolean): void {
    if (this.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    try {
      this.onProgress(this.snapshot());
    } catch {
      // A failing progress display must not fail the download.
    }
  }
}
