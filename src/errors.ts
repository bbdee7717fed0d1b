/**
 * The error classes of the database contract (seed/database-contract.md,
 * "Error Handling"). Every failure that leaves the store is one of these;
 * raw SQLite errors never do.
 *
 * DatabaseError and its three children describe the database itself
 * (cannot open it, a constraint the schema enforces, an operation SQLite
 * refused). The four validation errors describe the caller's request.
 */

/** Base of every error hfsched raises on purpose. */
export class HfschedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** General database error. */
export class DatabaseError extends HfschedError {}

/** The database file could not be opened or reached. */
export class ConnectionError extends DatabaseError {}

/** A constraint of the schema was violated (duplicate name, foreign key, check). */
export class IntegrityError extends DatabaseError {}

/** SQLite refused an operation (locked, read-only, disk full, corrupt). */
export class OperationalError extends DatabaseError {}

/** The input is not valid (a bad repo id, time, status, number, JSON). */
export class ValidationError extends HfschedError {}

/** The input is valid but breaks a business rule. */
export class ConstraintError extends HfschedError {}

/** The record asked for does not exist. */
export class NotFoundError extends HfschedError {}

/** A model status change that the state machine does not allow. */
export class StateTransitionError extends HfschedError {}

/**
 * A download that failed after its retries (network, server errors, bytes
 * that never verify); not one of the contract's classes. The message names
 * the file and what to do.
 */
export class DownloadError extends HfschedError {}
