/** The store's public API: everything the CLI, the daemon and the worker use. */
export {
  initializeDatabase,
  migrateDatabase,
  openStore,
  schemaVersionOf,
  type DefaultSetting,
} from './database-lifecycle.js';
export { latestSchemaVersion, findMigrationsFolder } from './migration-files.js';
export { Store } from './store.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from './connection.js';
export { INTERRUPTED_MESSAGE } from './download-lifecycle.js';
export {
  MODEL_TRANSITIONS,
  SESSION_TRANSITIONS,
  ENDED_SESSION_STATUSES,
  isModelTransitionAllowed,
} from './state-machines.js';
export {
  validateTime,
  validateDayOfWeek,
  validateMaxConcurrentDownloads,
  validateRevision,
  validateScheduleName,
  validatePatterns,
  validateModelStatus,
  validateSessionStatus,
  validateScheduleType,
} from './validation.js';
export { formatRepoReference, parseRepoReference, type RepoReference } from './repo-reference.js';
export { validateRepoType } from './validation.js';
export * from '../errors.js';
export { validateRepoId } from '../repo-id.js';
export { validateCronPattern } from '../schedule/schedule-format.js';
export * from './types.js';
export type {
  DaemonQueueEntry,
  DaemonRunningEntry,
  DaemonSnapshot,
  DaemonStatusRecord,
  DaemonRegistration,
} from './daemon-registration.js';
export {
  COMMAND_STATUSES,
  DAEMON_COMMANDS,
  type CommandAnswer,
  type CommandStatus,
  type DaemonCommand,
  type DaemonCommandName,
} from './daemon-commands.js';
export type { OpenSessionView } from './status-views.js';
export type { MirrorRegistration, MirrorStatusRecord } from './mirror-status.js';
