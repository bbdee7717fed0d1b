/**
 * The store's public API: opening a database and the `Store` with its topics
 * (models, schedules, downloads, config, daemon, mirrors), the row types, and
 * the input rules the store enforces, which the CLI and `apply` check early.
 * Errors come from src/errors.ts, the repo id rule from src/repo-id.ts.
 */
export {
  initializeDatabase,
  migrateDatabase,
  openStore,
  schemaVersionOf,
  type DefaultSetting,
} from './database-lifecycle.js';
export { latestSchemaVersion } from './migration-files.js';
export { Store } from './store.js';
export type { ModelStore } from './model-store.js';
export type { ScheduleStore } from './schedule-store.js';
export type { DownloadStore } from './download-store.js';
export type { ConfigStore } from './config-store.js';
export type { DaemonStore } from './daemon-store.js';
export type { MirrorStore } from './mirror-store.js';
export { INTERRUPTED_MESSAGE } from './download-lifecycle.js';
export {
  validateTime,
  validateDayOfWeek,
  validateMaxConcurrentDownloads,
  validateRevision,
  validateScheduleName,
  validatePatterns,
} from './validation.js';
export { formatRepoReference, parseRepoReference, type RepoReference } from './repo-reference.js';
export * from './types.js';
export type {
  DaemonQueueEntry,
  DaemonRunningEntry,
  DaemonSnapshot,
  DaemonStatusRecord,
  DaemonRegistration,
} from './daemon-registration.js';
export type { CommandAnswer, CommandStatus, DaemonCommand, DaemonCommandName } from './daemon-commands.js';
export type { OpenSessionView } from './status-views.js';
export type { MirrorRegistration, MirrorStatusRecord } from './mirror-status.js';
