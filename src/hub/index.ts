/**
 * The Hub client: downloads a model repository into the Hugging Face cache.
 * It knows nothing of the database (src/download/ joins the two). Code
 * outside src/hub/ imports only this file (lint enforces it).
 */
export { downloadSnapshot } from './snapshot-download.js';
export { HubRuntime, type HubRuntimeOptions } from './hub-runtime.js';
export { CacheBudgetError, DownloadError, RepeatedCorruptionError } from './errors.js';
export { RepoCacheLayout } from './cache/cache-layout.js';
export { repoFolderName, isCommitHash, type HubRepoType } from './repo-paths.js';
export type { HubHttpClient } from './protocol/http-client.js';
export type { HubNetwork } from './protocol/hub-network.js';
export {
  checkTrackedRevision,
  resolveRevisionCommit,
  isTagRevision,
  type RevisionCheckRequest,
  type TrackedRevision,
} from './protocol/revision-check.js';
export {
  verifySnapshot,
  type FileCheck,
  type FileProblem,
  type VerifyProgress,
  type VerifyRequest,
  type VerifyResult,
} from './cache/snapshot-verify.js';
export {
  discardBlob,
  pruneRepo,
  purgeRepo,
  type PruneRequest,
  type PruneResult,
  type PurgeResult,
} from './cache/cache-prune.js';
export { collectUnreferencedEntries } from './cache/shared-blobs.js';
export { repoUsage, type ManagedRepo, type RepoUsage, type SnapshotOnDisk } from './cache/cache-inventory.js';
export type { SpaceLimits } from './cache/disk-gate.js';
export { repoBytesOnDisk, reposBytesOnDisk } from './cache/cache-usage.js';
export { freeBytes } from './cache/free-space.js';
export { PROGRESS_INTERVAL_MS } from './transfer/progress-tracker.js';
export type {
  FileDoneEvent,
  FileProgress,
  FileState,
  RetryEvent,
  SnapshotFile,
  SnapshotProgress,
  SnapshotRequest,
  SnapshotResult,
} from './types.js';
export { bucketOf, HubRateLimiter } from './protocol/rate-limit.js';
export { openServedBlob, type OpenedBlob, type ServedBlobRequest } from './cache/served-blob.js';
export { fnmatchcase } from './fnmatch.js';
