/** The command queue (`daemon_commands`, migrations 004 and 006): the CLI writes, the daemon answers. */
import type Database from 'better-sqlite3';
import { NotFoundError, ValidationError } from '../errors.js';
import { selectModel } from './models.js';
import { isoTimestamp } from './row-mapping.js';
import { isoOrNull, SQL_NOW } from './sql-time.js';
import { withStoreErrors, writeTransaction } from './transaction.js';
import { validateId } from './validation.js';

export const DAEMON_COMMANDS = ['run-now', 'pause', 'resume', 'retry'] as const;
export type DaemonCommandName = (typeof DAEMON_COMMANDS)[number];

export const COMMAND_STATUSES = ['ok', 'error'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** How a command was handled: its status and the message shown to the user. */
export interface CommandAnswer {
  status: CommandStatus;
  message: string;
}

export interface DaemonCommand {
  id: number;
  command: DaemonCommandName;
  modelId: number | null;
  createdAt: string;
  handledAt: string | null;
  /** null until handled. */
  answer: CommandAnswer | null;
}

interface DaemonCommandRow {
  id: number;
  command: DaemonCommandName;
  model_id: number | null;
  created_at: string;
  handled_at: string | null;
  status: CommandStatus | null;
  result: string | null;
}

function mapCommand(row: DaemonCommandRow): DaemonCommand {
  return {
    id: row.id,
    command: row.command,
    modelId: row.model_id,
    createdAt: isoTimestamp(row.created_at),
    handledAt: isoOrNull(row.handled_at),
    answer: row.status === null ? null : { status: row.status, message: row.result ?? '' },
  };
}

/** Queues a command for the daemon. `run-now` takes no model; the others need one. */
export function sendDaemonCommand(
  db: Database.Database,
  command: DaemonCommandName,
  modelId: number | null,
): DaemonCommand {
  if (!DAEMON_COMMANDS.includes(command)) {
    throw new ValidationError(
      `unknown daemon command ${JSON.stringify(command)}: expected ${DAEMON_COMMANDS.join(', ')}`,
    );
  }
  if ((command === 'run-now') !== (modelId === null)) {
    throw new ValidationError(command === 'run-now' ? 'run-now takes no model' : `${command} needs a model`);
  }
  if (modelId !== null) validateId(modelId, 'model');
  return writeTransaction(db, () => {
    if (modelId !== null && selectModel(db, modelId) === null) throw new NotFoundError(`model ${modelId} not found`);
    const id = Number(
      db.prepare('INSERT INTO daemon_commands (command, model_id) VALUES (?, ?)').run(command, modelId).lastInsertRowid,
    );
    return mapCommand(db.prepare('SELECT * FROM daemon_commands WHERE id = ?').get(id) as DaemonCommandRow);
  });
}

export function getDaemonCommand(db: Database.Database, id: number): DaemonCommand | null {
  return withStoreErrors(db, () => {
    const row = db.prepare('SELECT * FROM daemon_commands WHERE id = ?').get(id) as DaemonCommandRow | undefined;
    return row === undefined ? null : mapCommand(row);
  });
}

/** Commands not handled yet, oldest first. */
export function unhandledDaemonCommands(db: Database.Database): DaemonCommand[] {
  return withStoreErrors(db, () =>
    (db.prepare('SELECT * FROM daemon_commands WHERE handled_at IS NULL ORDER BY id').all() as DaemonCommandRow[]).map(
      mapCommand,
    ),
  );
}

/**
 * Records a command's answer; false when it was already handled (by the
 * daemon, or given up on by the CLI that sent it).
 */
export function finishDaemonCommand(db: Database.Database, id: number, answer: CommandAnswer): boolean {
  if (!COMMAND_STATUSES.includes(answer.status)) {
    throw new ValidationError(`unknown command status ${JSON.stringify(answer.status)}: expected ok or error`);
  }
  return writeTransaction(
    db,
    () =>
      db
        .prepare(
          `UPDATE daemon_commands SET handled_at = ${SQL_NOW}, status = ?, result = ? WHERE id = ? AND handled_at IS NULL`,
        )
        .run(answer.status, answer.message, id).changes === 1,
  );
}

/** Ends every unhandled command as an error with `message` (a daemon starting drops what was sent before it ran). */
export function expireDaemonCommands(db: Database.Database, message: string): number {
  return writeTransaction(
    db,
    () =>
      db
        .prepare(
          `UPDATE daemon_commands SET handled_at = ${SQL_NOW}, status = 'error', result = ? WHERE handled_at IS NULL`,
        )
        .run(message).changes,
  );
}
