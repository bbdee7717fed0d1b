/**
 * The rows of the database, as typed objects. Rows are mapped to these at the
 * store's edge (snake_case columns become camelCase fields, JSON columns are
 * parsed once, SQLite's 0/1 booleans become booleans).
 */
import type { ScheduleTiming, ScheduleType } from '../schedule/schedule-fields.js';

export const MODEL_STATUSES = ['pending', 'downloading', 'completed', 'failed', 'paused'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export { SCHEDULE_TYPES, type ScheduleType } from '../schedule/schedule-fields.js';

export const SESSION_STATUSES = ['started', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type JsonObject = { [key: string]: unknown };

/** The kinds of Hub repository hfsched downloads (migration 007). */
export const REPO_TYPES = ['model', 'dataset'] as const;
export type RepoType = (typeof REPO_TYPES)[number];

/** How a file's hash is computed: sha256 of the content (LFS files) or git's blob sha1 (the others). */
export const FILE_HASH_KINDS = ['sha256', 'gitsha1'] as const;
export type FileHashKind = (typeof FILE_HASH_KINDS)[number];

/** One file of a model's current snapshot, as the Hub listed it when it was downloaded (migration 007). */
export interface ModelFile {
  /** Path in the repository, `/` between folders. */
  path: string;
  hashKind: FileHashKind;
  /** Lowercase hex: also the blob's name in the cache. */
  hash: string;
  size: number;
}

export interface Model {
  id: number;
  /** Hugging Face repo id: `org/name` or `name`. */
  name: string;
  status: ModelStatus;
  sizeBytes: number | null;
  /** The snapshot folder once completed. */
  downloadPath: string | null;
  createdAt: string;
  updatedAt: string;
  metadata: JsonObject | null;
  /** Pinned revision (branch, tag or commit); null means `main`. (migration 003) */
  revision: string | null;
  /** Glob patterns of files to download; empty means all. (migration 003) */
  includePatterns: string[];
  /** Glob patterns of files to skip. (migration 003) */
  excludePatterns: string[];
  /** 'model' or 'dataset'; (repoType, name) is unique. (migration 007) */
  repoType: RepoType;
  /** Follows its branch: each firing asks the Hub for the branch's commit. (migration 007) */
  tracking: boolean;
  /** The commit of the snapshot last completed. (migration 007) */
  currentCommit: string | null;
  /** When the branch was last asked for, ISO 8601 UTC. (migration 007) */
  lastCheckedAt: string | null;
  /** Why the last check failed; null when it worked. (migration 007) */
  lastCheckError: string | null;
  /** Why the model waits (e.g. damaged files found by verify); cleared on completion. (migration 007) */
  statusReason: string | null;
  /** The cache folder (HF_HUB_CACHE) its files are in; null before its first download. (migration 010) */
  cacheDir: string | null;
}

/** A schedule row: its timing (src/schedule/schedule-fields.ts) and the rest. */
export type ScheduleConfiguration = ScheduleTiming & {
  id: number;
  name: string;
  enabled: boolean;
  maxConcurrentDownloads: number;
  createdAt: string;
  updatedAt: string;
};

export interface DownloadSession {
  id: number;
  modelId: number;
  scheduleId: number | null;
  status: SessionStatus;
  startedAt: string;
  completedAt: string | null;
  bytesDownloaded: number;
  totalBytes: number | null;
  errorMessage: string | null;
  retryCount: number;
  metadata: JsonObject | null;
}

export interface SystemConfiguration {
  id: number;
  key: string;
  value: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Per-model download options (migration 003). Omitted fields are left as they are. */
export interface ModelOptions {
  /** Branch, tag or commit to download; null means `main`. */
  revision?: string | null;
  /** Glob patterns of repo paths to download; empty means all. */
  includePatterns?: string[];
  /** Glob patterns of repo paths to skip. */
  excludePatterns?: string[];
  /** 'model' (default) or 'dataset'; set at creation only. */
  repoType?: RepoType;
  /** Follow the branch (default: true unless the revision is a commit hash). */
  tracking?: boolean;
}

/** A new model (`store.models.create`): its repo id, what is known of it, its download options. */
export interface NewModel extends ModelOptions {
  /** Hugging Face repo id: `org/name` or `name`. */
  name: string;
  /** Bytes of the whole snapshot, when known before the download. */
  sizeBytes?: number | null | undefined;
  /** A JSON object kept with the model. */
  metadata?: JsonObject | null | undefined;
}

/** Schedule options added by migration 002. At most one of `windowEnd` and `windowMinutes`. */
export interface ScheduleOptions {
  /** croner pattern; required for `custom` schedules, refused for the others. */
  cronPattern?: string | null;
  /** `HH:MM` at which the download window closes. */
  windowEnd?: string | null;
  /** Minutes after each firing at which the download window closes. */
  windowMinutes?: number | null;
}

/**
 * A new schedule (`store.schedules.create`): daily takes a time, weekly a
 * time and a day, custom a cron pattern and neither (checked when created).
 */
export interface NewSchedule extends ScheduleOptions {
  name: string;
  type: ScheduleType;
  /** `HH:MM`; none for a custom schedule. */
  time?: string | null | undefined;
  /** 0 = Sunday .. 6 = Saturday; weekly schedules only. */
  dayOfWeek?: number | null | undefined;
  /** 1 to 10; default 1. */
  maxConcurrentDownloads?: number | undefined;
}

/**
 * Changes to an existing schedule (`store.schedules.update`). A field left out is kept;
 * `null` clears a nullable field. Setting one window form clears the other.
 */
export interface ScheduleChanges {
  name?: string;
  time?: string | null;
  dayOfWeek?: number | null;
  maxConcurrentDownloads?: number;
  cronPattern?: string | null;
  windowEnd?: string | null;
  windowMinutes?: number | null;
}

/** A new download session (`store.downloads.createSession`); no schedule: started by hand. */
export interface NewDownloadSession {
  modelId: number;
  scheduleId?: number | null | undefined;
}

/** A session's move (`store.downloads.updateSession`); fields left out (or null) keep their value. */
export interface DownloadSessionUpdate {
  status: SessionStatus;
  bytesDownloaded?: number | null | undefined;
  totalBytes?: number | null | undefined;
  errorMessage?: string | null | undefined;
}

/** A download that begins (`store.downloads.begin`). */
export interface DownloadStart {
  modelId: number;
  /** The schedule whose firing started it; null: started by hand. */
  scheduleId: number | null;
  /** Becomes the model's cache folder if it has none yet. */
  cacheDir?: string | null | undefined;
}

/** Progress of an open session (`store.downloads.recordProgress`). */
export interface DownloadProgress {
  bytesDownloaded: number;
  /** null keeps the known total. */
  totalBytes: number | null;
  /** Merged (shallowly) into the session's metadata. */
  metadata?: JsonObject | undefined;
}

/** What a finished download records (`store.downloads.complete`). */
export interface DownloadResult {
  /** The snapshot folder. */
  downloadPath: string;
  /** Bytes of the whole snapshot. */
  sizeBytes: number;
  /** Merged (shallowly) into the session's metadata. */
  metadata?: JsonObject;
  /** The commit of the snapshot: becomes the model's current commit. */
  commit?: string;
  /** The snapshot's files with their hashes: replace the model's recorded files (for verify). */
  files?: ModelFile[];
  /** The cache folder the snapshot is in: becomes the model's cache folder. */
  cacheDir?: string;
}
