/**
 * Rows as SQLite returns them, and their mapping to the typed objects of
 * types.ts: camelCase fields, JSON parsed once, 0/1 as booleans, and
 * timestamps as ISO 8601 UTC strings (`2025-01-31T02:00:00.000Z`), because
 * SQLite's `YYYY-MM-DD HH:MM:SS` is UTC but `new Date()` would read it as
 * local time.
 */
import { ValidationError } from '../errors.js';
import { scheduleWhenOf, type ScheduleWhen } from '../schedule/schedule-fields.js';
import type {
  DownloadSession,
  JsonObject,
  Model,
  ModelStatus,
  RepoType,
  ScheduleConfiguration,
  ScheduleType,
  SessionStatus,
  SystemConfiguration,
} from './types.js';

export interface ModelRow {
  id: number;
  name: string;
  status: ModelStatus;
  size_bytes: number | null;
  download_path: string | null;
  created_at: string;
  updated_at: string;
  metadata: string | null;
  revision: string | null;
  include_patterns: string;
  exclude_patterns: string;
  repo_type: RepoType;
  tracking: number;
  current_commit: string | null;
  last_checked_at: string | null;
  last_check_error: string | null;
  status_reason: string | null;
  cache_dir: string | null;
}

export interface ScheduleRow {
  id: number;
  name: string;
  type: ScheduleType;
  time: string | null;
  day_of_week: number | null;
  enabled: number;
  max_concurrent_downloads: number;
  created_at: string;
  updated_at: string;
  cron_pattern: string | null;
  window_end: string | null;
  window_minutes: number | null;
}

export interface SessionRow {
  id: number;
  model_id: number;
  schedule_id: number | null;
  status: SessionStatus;
  started_at: string;
  completed_at: string | null;
  bytes_downloaded: number | null;
  total_bytes: number | null;
  error_message: string | null;
  retry_count: number | null;
  metadata: string | null;
}

export interface SystemConfigRow {
  id: number;
  key: string;
  value: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** SQLite's UTC `YYYY-MM-DD HH:MM:SS[.SSS]` as ISO 8601 with milliseconds and `Z`. */
export function isoTimestamp(sqliteTime: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/.exec(sqliteTime);
  if (match === null) return sqliteTime;
  const fraction = (match[3] ?? '.000').padEnd(4, '0').slice(0, 4);
  return `${match[1]}T${match[2]}${fraction}Z`;
}

function parseJsonObject(text: string | null): JsonObject | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

function parseStringList(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function mapModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    sizeBytes: row.size_bytes,
    downloadPath: row.download_path,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
    metadata: parseJsonObject(row.metadata),
    revision: row.revision,
    includePatterns: parseStringList(row.include_patterns),
    excludePatterns: parseStringList(row.exclude_patterns),
    repoType: row.repo_type,
    tracking: row.tracking === 1,
    currentCommit: row.current_commit,
    lastCheckedAt: row.last_checked_at === null ? null : isoTimestamp(row.last_checked_at),
    lastCheckError: row.last_check_error,
    statusReason: row.status_reason,
    cacheDir: row.cache_dir,
  };
}

/** The row's timing; a row the store would not have written says which schedule to fix. */
function rowWhen(row: ScheduleRow): ScheduleWhen {
  try {
    return scheduleWhenOf({
      type: row.type,
      time: row.time,
      dayOfWeek: row.day_of_week,
      cronPattern: row.cron_pattern,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`schedule ${row.id} "${row.name}" in the database: ${error.message}`);
  }
}

export function mapSchedule(row: ScheduleRow): ScheduleConfiguration {
  return {
    id: row.id,
    name: row.name,
    ...rowWhen(row),
    enabled: row.enabled === 1,
    maxConcurrentDownloads: row.max_concurrent_downloads,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
    windowEnd: row.window_end,
    windowMinutes: row.window_minutes,
  };
}

export function mapSession(row: SessionRow): DownloadSession {
  return {
    id: row.id,
    modelId: row.model_id,
    scheduleId: row.schedule_id,
    status: row.status,
    startedAt: isoTimestamp(row.started_at),
    completedAt: row.completed_at === null ? null : isoTimestamp(row.completed_at),
    bytesDownloaded: row.bytes_downloaded ?? 0,
    totalBytes: row.total_bytes,
    errorMessage: row.error_message,
    retryCount: row.retry_count ?? 0,
    metadata: parseJsonObject(row.metadata),
  };
}

export function mapSystemConfig(row: SystemConfigRow): SystemConfiguration {
  return {
    id: row.id,
    key: row.key,
    value: row.value,
    description: row.description,
    createdAt: isoTimestamp(row.created_at),
    updatedAt: isoTimestamp(row.updated_at),
  };
}
