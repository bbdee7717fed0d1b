/**
 * The rows of the database, as typed objects. Rows are mapped to these at the
 * store's edge (snake_case columns become camelCase fields, JSON columns are
 * parsed once, SQLite's 0/1 booleans become booleans).
 */

export const MODEL_STATUSES = ['pending', 'downloading', 'completed', 'failed', 'paused'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const SCHEDULE_TYPES = ['daily', 'weekly', 'custom'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export const SESSION_STATUSES = ['started', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type JsonObject = { [key: string]: unknown };

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
}

export interface ScheduleConfiguration {
  id: number;
  name: string;
  type: ScheduleType;
  /** `HH:MM` for daily and weekly; null for custom. */
  time: string | null;
  /** 0 = Sunday .. 6 = Saturday; set for weekly only. */
  dayOfWeek: number | null;
  enabled: boolean;
  maxConcurrentDownloads: number;
  createdAt: string;
  updatedAt: string;
  /** croner pattern (5 or 6 fields, seconds allowed) for custom schedules. (migration 002) */
  cronPattern: string | null;
  /** The window closes at this `HH:MM` after each firing. (migration 002) */
  windowEnd: string | null;
  /** The window closes this many minutes after each firing. (migration 002) */
  windowMinutes: number | null;
}

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
 * Changes to an existing schedule (`updateSchedule`). A field left out is kept;
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

/** What a finished download records (`completeDownload`). */
export interface DownloadResult {
  /** The snapshot folder. */
  downloadPath: string;
  /** Bytes of the whole snapshot. */
  sizeBytes: number;
  /** Merged (shallowly) into the session's metadata. */
  metadata?: JsonObject;
}
