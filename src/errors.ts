/**
 * The error classes every part throws (docs/database.md, "Errors"): the
 * data contract's eight, and DownloadError. Every failure that leaves the
 * store is one of these; raw SQLite errors never do.
 *
 * DatabaseError and its three children describe the database itself
 * (cannot open it, a constraint the schema enforces, an operation SQLite
 * refused). The four validation errors describe the caller's request.
 */

/**
 * What the Hub answered, on an error built from its answer (as huggingface.js's
 * HubApiError keeps it), so that callers decide without reading the message.
 */
export interface HubAnswerFacts {
  /** The HTTP status. */
  status: number;
  /** The Hub's `X-Error-Code` (`RepoNotFound`, `GatedRepo`, ...), when it sent one. */
  code: string | null;
  /** The URL asked, without its query (a signed CDN URL's query is a credential). */
  url: string;
}

export interface HfschedErrorOptions {
  cause?: unknown;
  /** Set when the error was built from a Hub answer. */
  hubAnswer?: HubAnswerFacts;
}

/** Base of every error hfsched raises on purpose. */
export class HfschedError extends Error {
  /** The Hub answer's HTTP status; null when the error did not come from a Hub answer. */
  readonly status: number | null;
  /** The Hub's `X-Error-Code`; null without one. */
  readonly code: string | null;
  /** The URL the Hub answered, without its query; null when the error did not come from a Hub answer. */
  readonly url: string | null;

  constructor(message: string, options?: HfschedErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options?.hubAnswer?.status ?? null;
    this.code = options?.hubAnswer?.code ?? null;
    this.url = options?.hubAnswer?.url ?? null;
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
