/**
 * The Hub client's public types: what a caller asks for (SnapshotRequest),
 * what it hears while the download runs (SnapshotProgress, FileDoneEvent) and
 * what it gets at the end (SnapshotResult). See docs/ARCHITECTURE.md, "Hub".
 */
import type { Logger } from 'pino';
import type { HashAlgorithm } from './cache/blob-hash.js';
import type { SpaceLimits } from './cache/disk-gate.js';
import type { HubRepoType } from './repo-paths.js';

export interface SnapshotRequest {
  /** The Hub or a mirror, e.g. https://huggingface.co (no trailing slash needed). */
  endpoint: string;
  /** Sent only to the endpoint's origin, never to a CDN it redirects to. */
  token: string | null;
  /** The Hugging Face cache folder ($HF_HUB_CACHE). */
  cacheDir: string;
  /** `org/name` or `name`. */
  repoId: string;
  /** 'model' (default) or 'dataset': the API, the resolve URLs and the cache folder differ. */
  repoType?: HubRepoType;
  /** Branch, tag or 40-hex commit; 'main' by default. */
  revision: string;
  /**
   * Whether `refs/{revision}` moves to the snapshot's commit at the end (default true). A one-off download
   * of a model's own branch with other patterns must not move it: readers would resolve the branch to a
   * snapshot that lacks files.
   */
  writeRef?: boolean;
  /** Patterns on repo paths, matched as huggingface_hub does (file-selection.ts); empty means every file. */
  include: string[];
  exclude: string[];
  /** Most files (blobs) downloaded at the same time; the number adapts up to it (file-pool.ts). */
  concurrentFiles: number;
  /** Connections (byte ranges) for one file of at least multipartThresholdBytes. */
  connectionsPerFile: number;
  multipartThresholdBytes: number;
  /** Retries of one request after a network error, a stall, 5xx or 429; also verification retries. */
  maxRetries: number;
  /** A connection that delivers no byte for this long is dropped and resumed. */
  stallTimeoutMs: number;
  /** Free space to keep on the cache disk beyond what the download needs. */
  minFreeBytes: number;
  /**
   * The disk gate's limits, read again while the download waits for space
   * (disk-gate.ts); default: minFreeBytes and no budget.
   */
  spaceLimits?: () => SpaceLimits;
  /** Called with the reason when the download waits for disk space or budget, and with null when it goes on. */
  onSpaceWait?: (reason: string | null) => void;
  /** Abort means pause: partial files stay, and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called at most every PROGRESS_INTERVAL_MS, and when a file starts or ends. */
  onProgress?: (progress: SnapshotProgress) => void;
  /** Called once per file of the snapshot, when it is in place (fetched or already cached). */
  onFileDone?: (file: FileDoneEvent) => void;
  /** Called when a request failed and is about to be tried again (for a display; the logger gets it too). */
  onRetry?: (event: RetryEvent) => void;
  logger?: Logger;
  /** First retry delay; doubles each retry, with jitter. Default 1000 ms. */
  retryBaseDelayMs?: number;
}

export type FileState = 'downloading' | 'verifying';

/** A file being downloaded or verified right now. */
export interface FileProgress {
  path: string;
  size: number;
  /** Bytes of this file on disk (resumed part included). */
  doneBytes: number;
  state: FileState;
}

export interface SnapshotProgress {
  /** Bytes of every selected file. */
  totalBytes: number;
  /** Bytes in place: cached, resumed and fetched. */
  doneBytes: number;
  /** Bytes received from the network by this run. */
  fetchedBytes: number;
  /** Files of the snapshot, and how many of them are in place. */
  fileCount: number;
  filesDone: number;
  /** The files in flight. */
  files: FileProgress[];
}

export interface FileDoneEvent {
  path: string;
  size: number;
  /** True when the blob was already complete in the cache. */
  cached: boolean;
}

export interface RetryEvent {
  /** What was being done, e.g. `downloading "model.safetensors" of "org/name"`. */
  what: string;
  /** Why it failed, one line. */
  reason: string;
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  /** The pause before the retry. */
  delayMs: number;
}

/** One file of a snapshot, with the hash the Hub listed for it (what verify checks later). */
export interface SnapshotFile {
  path: string;
  size: number;
  algorithm: HashAlgorithm;
  /** sha256 (LFS) or git blob sha1, lowercase hex: also the blob's name in the cache. */
  etag: string;
}

export interface SnapshotResult {
  /** The commit the revision resolved to. */
  commit: string;
  /** Every file of the snapshot, by path. */
  files: SnapshotFile[];
  /** `{cacheDir}/models--org--name/snapshots/{commit}`. */
  snapshotPath: string;
  totalBytes: number;
  fileCount: number;
  /** Bytes received from the network by this run (0 when everything was cached). */
  fetchedBytes: number;
}
