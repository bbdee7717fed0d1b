/**
 * Input validation at the store's edge. Every function throws a
 * ValidationError whose message names the bad value and what is expected.
 * The CLI reuses `validateTime`; the repo id rule is src/repo-id.ts.
 */
import { ValidationError } from '../errors.js';
import {
  MODEL_STATUSES,
  SCHEDULE_TYPES,
  SESSION_STATUSES,
  type JsonObject,
  type ModelStatus,
  REPO_TYPES,
  type RepoType,
  type ScheduleType,
  type SessionStatus,
} from './types.js';

const TIME = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;

/** `HH:MM`, 00:00 to 23:59, two digits each (the same rule as the schema's check). */
export function validateTime(time: unknown, what = 'time'): string {
  if (typeof time !== 'string' || !TIME.test(time)) {
    throw new ValidationError(
      `invalid ${what} ${JSON.stringify(time)}: expected HH:MM from 00:00 to 23:59, e.g. "02:30"`,
    );
  }
  return time;
}

/** 0 = Sunday .. 6 = Saturday (cron and JavaScript convention). */
export function validateDayOfWeek(day: unknown): number {
  if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6) {
    throw new ValidationError(`invalid day of week ${JSON.stringify(day)}: expected 0 (Sunday) to 6 (Saturday)`);
  }
  return day;
}

export function validateMaxConcurrentDownloads(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10) {
    throw new ValidationError(
      `invalid max concurrent downloads ${JSON.stringify(value)}: expected a whole number from 1 to 10`,
    );
  }
  return value;
}

function validateOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`invalid ${what} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function validateModelStatus(status: unknown): ModelStatus {
  return validateOneOf(status, MODEL_STATUSES, 'model status');
}

export function validateRepoType(type: unknown): RepoType {
  return validateOneOf(type, REPO_TYPES, 'repository type');
}

export function validateSessionStatus(status: unknown): SessionStatus {
  return validateOneOf(status, SESSION_STATUSES, 'download session status');
}

export function validateScheduleType(type: unknown): ScheduleType {
  return validateOneOf(type, SCHEDULE_TYPES, 'schedule type');
}

/** A whole number of bytes, 0 or more, exact in a JavaScript number. */
export function validateByteCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`invalid ${what} ${JSON.stringify(value)}: expected a whole number of bytes, 0 or more`);
  }
  return value;
}

/** A record id: a positive whole number. */
export function validateId(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`invalid ${what} id ${JSON.stringify(value)}: expected a positive whole number`);
  }
  return value;
}

/** A plain JSON object (not an array, not null), serialized once here. */
export function serializeMetadata(metadata: unknown, what = 'metadata'): string {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError(`invalid ${what}: expected a JSON object like {"key": "value"}`);
  }
  try {
    return JSON.stringify(metadata as JsonObject);
  } catch (error) {
    throw new ValidationError(`invalid ${what}: it cannot be written as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** A schedule's name: 1..200 characters, no control characters. */
export function validateScheduleName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ValidationError(`invalid schedule name ${JSON.stringify(name)}: expected 1 to 200 printable characters`);
  }
  return name;
}

/** Minutes a download window stays open: 1 to 10 080 (one week). */
export function validateWindowMinutes(minutes: unknown): number {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 10_080) {
    throw new ValidationError(`invalid window length ${JSON.stringify(minutes)} minutes: expected 1 to 10080`);
  }
  return minutes;
}

/**
 * A revision: a branch, tag or commit, e.g. `main`, `v1.0`, `refs/pr/1`.
 * The Hub's branches and tags are git refs, so a revision that git's
 * check-ref-format refuses can never be fetched: refuse it before it is
 * stored (https://git-scm.com/docs/git-check-ref-format). A commit hash
 * passes these rules as any other name.
 */
export function validateRevision(revision: unknown): string {
  const problem = typeof revision === 'string' ? revisionProblem(revision) : 'it is not text';
  if (problem !== null) {
    throw new ValidationError(
      `invalid revision ${JSON.stringify(revision)}: ${problem}; expected a branch, tag or commit like "main", "v1.0" or a 40-character hash`,
    );
  }
  return revision as string;
}

/** Why git would refuse this ref name, or null when it would not. */
function revisionProblem(revision: string): string | null {
  if (revision.length === 0) return 'it is empty';
  if (revision.length > 255) return 'it is longer than 255 characters';
  if (/[\s\u0000-\u001f\u007f]/.test(revision)) return 'it has spaces or control characters';
  if (/[~^:?*[\\]/.test(revision)) return 'git refs never contain ~ ^ : ? * [ or \\';
  if (revision.includes('..')) return 'git refs never contain ".."';
  if (revision.includes('@{') || revision === '@') return 'git refs are never "@" and never contain "@{"';
  if (revision.startsWith('/') || revision.endsWith('/') || revision.includes('//')) {
    return 'git refs never start or end with "/" nor have an empty part between two';
  }
  if (revision.endsWith('.')) return 'git refs never end with "."';
  for (const part of revision.split('/')) {
    if (part.startsWith('.')) return 'no part of a git ref starts with "."';
    if (part.endsWith('.lock')) return 'no part of a git ref ends with ".lock"';
  }
  return null;
}

/** Glob patterns on repo paths, e.g. ["*.safetensors", "*.json"]. */
export function validatePatterns(patterns: unknown, what: string): string[] {
  if (
    !Array.isArray(patterns) ||
    patterns.some(
      (pattern) =>
        typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 1024 || pattern.includes('\u0000'),
    )
  ) {
    throw new ValidationError(
      `invalid ${what} ${JSON.stringify(patterns)}: expected a list of glob patterns like ["*.safetensors"]`,
    );
  }
  return [...(patterns as string[])];
}

/** `limit` of a history query: 1 or more. */
export function validateLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError(`invalid limit ${JSON.stringify(limit)}: expected a whole number, 1 or more`);
  }
  return limit;
}

/** A system configuration key: 1..200 printable characters, no spaces. */
export function validateConfigKey(key: unknown): string {
  if (typeof key !== 'string' || !/^[^\s\u0000-\u001f\u007f]{1,200}$/.test(key)) {
    throw new ValidationError(
      `invalid configuration key ${JSON.stringify(key)}: expected a name like "download.max_retries"`,
    );
  }
  return key;
}

/** A count: a whole number, 0 or more. */
export function validateCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`invalid ${what} ${JSON.stringify(value)}: expected a whole number, 0 or more`);
  }
  return value;
}
