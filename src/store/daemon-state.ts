/**
 * The daemon's tables (migration 004): its heartbeat and status row, the
 * command queue the CLI writes to, and the holds of models a user paused.
 * These are the only SQL statements of the daemon part; the daemon and the
 * CLI call these functions with an open Store.
 */
import type Database from 'better-sqlite3';
import { NotFoundError, StateTransitionError, ValidationError } from '../errors.js';
import { selectModel } from './models.js';
import { isoTimestamp, mapSession, type SessionRow } from './row-mapping.js';
import { assertModelTransition } from './state-machines.js';
import type { Store } from './store.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import { MODEL_STATUSES, type DownloadSession, type Model, type ModelStatus } from './types.js';
import { validateId } from './validation.js';

const NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/** A JavaScript date as SQLite's UTC `YYYY-MM-DD HH:MM:SS.SSS`, the format of every timestamp column. */
function sqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function isoOrNull(text: string | null): string | null {
  return text === null ? null : isoTimestamp(text);
}

// ---------------------------------------------------------------- status row

/** A model waiting in the daemon's queue. */
export interface DaemonQueueEntry {
  modelId: number;
  model: string;
}

/** A download the daemon is running, with what only the daemon knows (its speed). */
export interface DaemonRunningEntry {
  modelId: number;
  model: string;
  sessionId: number | null;
  /** Bytes on disk for this model (resumed bytes included). */
  bytesDone: number;
  totalBytes: number | null;
  /** Measured over the last few seconds. */
  bytesPerSecond: number;
  startedAt: string;
}

/** What the daemon publishes about itself at each heartbeat. */
export interface DaemonSnapshot {
  scheduleId: number | null;
  nextRunAt: Date | null;
  windowEndsAt: Date | null;
  queue: DaemonQueueEntry[];
  running: DaemonRunningEntry[];
  httpUrl: string | null;
}

export interface DaemonStatusRecord {
  pid: number;
  hostname: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  heartbeatAt: string;
  scheduleId: number | null;
  nextRunAt: string | null;
  windowEndsAt: string | null;
  queue: DaemonQueueEntry[];
  running: DaemonRunningEntry[];
  httpUrl: string | null;
}

interface DaemonStatusRow {
  pid: number;
  hostname: string;
  started_at: string;
  heartbeat_at: string;
  schedule_id: number | null;
  next_run_at: string | null;
  window_ends_at: string | null;
  queue: string;
  running: string;
  http_url: string | null;
}

function parseList<T>(text: string): T[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? (value as T[]) : [];
}

function mapDaemonStatus(row: DaemonStatusRow): DaemonStatusRecord {
  return {
    pid: row.pid,
    hostname: row.hostname,
    startedAt: isoTimestamp(row.started_at),
    heartbeatAt: isoTimestamp(row.heartbeat_at),
    scheduleId: row.schedule_id,
    nextRunAt: isoOrNull(row.next_run_at),
    windowEndsAt: isoOrNull(row.window_ends_at),
    queue: parseList<DaemonQueueEntry>(row.queue),
    running: parseList<DaemonRunningEntry>(row.running),
    httpUrl: row.http_url,
  };
}

function selectDaemonStatus(db: Database.Database): DaemonStatusRecord | null {
  const row = db.prepare('SELECT * FROM daemon_status WHERE id = 1').get() as DaemonStatusRow | undefined;
  return row === undefined ? null : mapDaemonStatus(row);
}

/** The registered daemon's row, alive or not (see src/control/liveness.ts), or null. */
export function readDaemonStatus(store: Store): DaemonStatusRecord | null {
  return withStoreErrors(store.db, () => selectDaemonStatus(store.db));
}

export interface DaemonRegistration {
  pid: number;
  hostname: string;
  startedAt: Date;
}

/**
 * Registers this process as the database's daemon, unless `isAlive` says the
 * registered one still runs: then nothing changes and that one's row is
 * returned. Check and write are one transaction, so two daemons starting at
 * once cannot both win. Returns null when this process is now registered.
 */
export function claimDaemonStatus(
  store: Store,
  registration: DaemonRegistration,
  isAlive: (current: DaemonStatusRecord) => boolean,
): DaemonStatusRecord | null {
  const db = store.db;
  return writeTransaction(db, () => {
    const current = selectDaemonStatus(db);
    if (current !== null && isAlive(current)) return current;
    const startedAt = sqliteTime(registration.startedAt);
    db.prepare(
      `INSERT OR REPLACE INTO daemon_status (id, pid, hostname, started_at, heartbeat_at)
       VALUES (1, ?, ?, ?, ${NOW})`,
    ).run(registration.pid, registration.hostname, startedAt);
    return null;
  });
}

/**
 * The daemon's heartbeat: its snapshot and the time. false when the row is no
 * longer this process's (another daemon took over after this one was
 * thought dead): the caller must stop.
 */
export function writeDaemonHeartbeat(store: Store, pid: number, snapshot: DaemonSnapshot): boolean {
  const db = store.db;
  return writeTransaction(db, () => {
    const result = db
      .prepare(
        `UPDATE daemon_status
         SET heartbeat_at = ${NOW}, schedule_id = @scheduleId, next_run_at = @nextRunAt,
             window_ends_at = @windowEndsAt, queue = @queue, running = @running, http_url = @httpUrl
         WHERE id = 1 AND pid = @pid`,
      )
      .run({
        pid,
        scheduleId: snapshot.scheduleId,
        nextRunAt: snapshot.nextRunAt === null ? null : sqliteTime(snapshot.nextRunAt),
        windowEndsAt: snapshot.windowEndsAt === null ? null : sqliteTime(snapshot.windowEndsAt),
        queue: JSON.stringify(snapshot.queue),
        running: JSON.stringify(snapshot.running),
        httpUrl: snapshot.httpUrl,
      });
    return result.changes === 1;
  });
}

/** Removes this process's registration (clean shutdown); false if it was not registered. */
export function releaseDaemonStatus(store: Store, pid: number): boolean {
  const db = store.db;
  return writeTransaction(
    db,
    () => db.prepare('DELETE FROM daemon_status WHERE id = 1 AND pid = ?').run(pid).changes === 1,
  );
}

// ---------------------------------------------------------------- commands

export const DAEMON_COMMANDS = ['run-now', 'pause', 'resume', 'retry'] as const;
export type DaemonCommandName = (typeof DAEMON_COMMANDS)[number];

export interface DaemonCommand {
  id: number;
  command: DaemonCommandName;
  modelId: number | null;
  createdAt: string;
  handledAt: string | null;
  /** `ok: ...` or `error: ...` once handled. */
  result: string | null;
}

interface DaemonCommandRow {
  id: number;
  command: DaemonCommandName;
  model_id: number | null;
  created_at: string;
  handled_at: string | null;
  result: string | null;
}

function mapCommand(row: DaemonCommandRow): DaemonCommand {
  return {
    id: row.id,
    command: row.command,
    modelId: row.model_id,
    createdAt: isoTimestamp(row.created_at),
    handledAt: isoOrNull(row.handled_at),
    result: row.result,
  };
}

/** Queues a command for the daemon. `run-now` takes no model; the others need one. */
export function sendDaemonCommand(store: Store, command: DaemonCommandName, modelId: number | null): DaemonCommand {
  if (!DAEMON_COMMANDS.includes(command)) {
    throw new ValidationError(
      `unknown daemon command ${JSON.stringify(command)}: expected ${DAEMON_COMMANDS.join(', ')}`,
    );
  }
  if ((command === 'run-now') !== (modelId === null)) {
    throw new ValidationError(command === 'run-now' ? 'run-now takes no model' : `${command} needs a model`);
  }
  if (modelId !== null) validateId(modelId, 'model');
  const db = store.db;
  return writeTransaction(db, () => {
    if (modelId !== null && selectModel(db, modelId) === null) throw new NotFoundError(`model ${modelId} not found`);
    const id = Number(
      db.prepare('INSERT INTO daemon_commands (command, model_id) VALUES (?, ?)').run(command, modelId).lastInsertRowid,
    );
    return mapCommand(db.prepare('SELECT * FROM daemon_commands WHERE id = ?').get(id) as DaemonCommandRow);
  });
}

export function getDaemonCommand(store: Store, id: number): DaemonCommand | null {
  return withStoreErrors(store.db, () => {
    const row = store.db.prepare('SELECT * FROM daemon_commands WHERE id = ?').get(id) as DaemonCommandRow | undefined;
    return row === undefined ? null : mapCommand(row);
  });
}

/** Commands not handled yet, oldest first. */
export function unhandledDaemonCommands(store: Store): DaemonCommand[] {
  return withStoreErrors(store.db, () =>
    (
      store.db.prepare('SELECT * FROM daemon_commands WHERE handled_at IS NULL ORDER BY id').all() as DaemonCommandRow[]
    ).map(mapCommand),
  );
}

/**
 * Records a command's outcome; false when it was already handled (by the
 * daemon, or given up on by the CLI that sent it).
 */
export function finishDaemonCommand(store: Store, id: number, result: string): boolean {
  const db = store.db;
  return writeTransaction(
    db,
    () =>
      db
        .prepare(`UPDATE daemon_commands SET handled_at = ${NOW}, result = ? WHERE id = ? AND handled_at IS NULL`)
        .run(result, id).changes === 1,
  );
}

/** Ends every unhandled command with `result` (a daemon starting drops what was sent before it ran). */
export function expireDaemonCommands(store: Store, result: string): number {
  const db = store.db;
  return writeTransaction(
    db,
    () =>
      db.prepare(`UPDATE daemon_commands SET handled_at = ${NOW}, result = ? WHERE handled_at IS NULL`).run(result)
        .changes,
  );
}

// ---------------------------------------------------------------- holds and user control of models

/** Ids of the models a user paused; the scheduler leaves them alone until resumed. */
export function heldModelIds(store: Store): Set<number> {
  return withStoreErrors(store.db, () => {
    const rows = store.db.prepare('SELECT model_id FROM model_holds').all() as { model_id: number }[];
    return new Set(rows.map((row) => row.model_id));
  });
}

export function isModelHeld(store: Store, modelId: number): boolean {
  return withStoreErrors(
    store.db,
    () => store.db.prepare('SELECT 1 FROM model_holds WHERE model_id = ?').get(modelId) !== undefined,
  );
}

function requireModel(db: Database.Database, modelId: number): Model {
  validateId(modelId, 'model');
  const model = selectModel(db, modelId);
  if (model === null) throw new NotFoundError(`model ${modelId} not found; list models with: hfsched model list`);
  return model;
}

function insertHold(db: Database.Database, modelId: number, reason: string): void {
  db.prepare(`INSERT OR REPLACE INTO model_holds (model_id, reason) VALUES (?, ?)`).run(modelId, reason);
}

function setModelStatus(db: Database.Database, model: Model, status: ModelStatus): void {
  assertModelTransition(model.name, model.status, status);
  db.prepare('UPDATE models SET status = ? WHERE id = ?').run(status, model.id);
}

/**
 * A user's pause of a model that is not downloading: it becomes `paused` and
 * held, in one transaction (already paused: only held). A downloading model
 * is refused: its download must be stopped first (`holdModel`, then the
 * daemon aborts it and the worker records the pause).
 */
export function pauseModel(store: Store, modelId: number, reason: string): Model {
  const db = store.db;
  return writeTransaction(db, () => {
    const model = requireModel(db, modelId);
    if (model.status === 'downloading') {
      throw new StateTransitionError(`model "${model.name}" is downloading; only the daemon running it can pause it`);
    }
    if (model.status === 'completed') {
      throw new StateTransitionError(`model "${model.name}" is completed; there is nothing to pause`);
    }
    if (model.status !== 'paused') setModelStatus(db, model, 'paused');
    insertHold(db, modelId, reason);
    return selectModel(db, modelId) as Model;
  });
}

/** Holds a model whatever its status (the daemon, before it stops the model's running download). */
export function holdModel(store: Store, modelId: number, reason: string): void {
  const db = store.db;
  writeTransaction(db, () => {
    requireModel(db, modelId);
    insertHold(db, modelId, reason);
  });
}

/**
 * `from` -> pending and any hold removed, in one transaction. A retried
 * model's retry count starts again at 0 (beginDownload counts from a failed model only).
 */
function returnToPending(
  store: Store,
  modelId: number,
  from: 'paused' | 'failed',
  action: 'resumed' | 'retried',
): Model {
  const db = store.db;
  return writeTransaction(db, () => {
    const model = requireModel(db, modelId);
    if (model.status !== from) {
      throw new StateTransitionError(
        `model "${model.name}" is ${model.status}, not ${from}; only a ${from} model can be ${action}`,
      );
    }
    setModelStatus(db, model, 'pending');
    db.prepare('DELETE FROM model_holds WHERE model_id = ?').run(modelId);
    return selectModel(db, modelId) as Model;
  });
}

/** paused -> pending and the hold removed. */
export function resumeModel(store: Store, modelId: number): Model {
  return returnToPending(store, modelId, 'paused', 'resumed');
}

/** failed -> pending (its retry count starts again at 0) and any hold removed. */
export function retryModel(store: Store, modelId: number): Model {
  return returnToPending(store, modelId, 'failed', 'retried');
}

// ---------------------------------------------------------------- views for status and metrics

export interface OpenSessionView {
  session: DownloadSession;
  modelName: string;
}

/** Sessions still `started` or `in_progress`, with their model's name, oldest first. */
export function openDownloadSessions(store: Store): OpenSessionView[] {
  return withStoreErrors(store.db, () => {
    const rows = store.db
      .prepare(
        `SELECT s.*, m.name AS model_name FROM download_sessions s JOIN models m ON m.id = s.model_id
         WHERE s.status IN ('started', 'in_progress') ORDER BY s.id`,
      )
      .all() as (SessionRow & { model_name: string })[];
    return rows.map((row) => ({ session: mapSession(row), modelName: row.model_name }));
  });
}

/** How many models have each status (every status present, 0 when none). */
export function modelCountsByStatus(store: Store): Record<ModelStatus, number> {
  return withStoreErrors(store.db, () => {
    const counts = Object.fromEntries(MODEL_STATUSES.map((status) => [status, 0])) as Record<ModelStatus, number>;
    const rows = store.db.prepare('SELECT status, count(*) AS n FROM models GROUP BY status').all() as {
      status: ModelStatus;
      n: number;
    }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  });
}

/** A trivial query: does the database answer? (health check) */
export function pingDatabase(store: Store): void {
  withStoreErrors(store.db, () => store.db.prepare('SELECT 1').get());
}
