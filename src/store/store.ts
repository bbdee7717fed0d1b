/**
 * `Store`: one open database, with the operations grouped by topic
 * (`store.models`, `store.schedules`, `store.downloads`, `store.config`,
 * `store.daemon`, `store.mirrors`), each an object whose methods forward to
 * the store modules of its topic; those validate, keep transactions short and
 * translate SQLite's errors. A CLI call opens one Store and closes it; a
 * long-running process keeps one for its whole life. Get one with
 * `openStore(path)` (database-lifecycle.ts).
 */
import type Database from 'better-sqlite3';
import { ConfigStore } from './config-store.js';
import { closeConnection } from './connection.js';
import { DaemonStore } from './daemon-store.js';
import { databaseFileChange, databaseIdentity, type DatabaseIdentity } from './database-identity.js';
import { DownloadStore } from './download-store.js';
import { MirrorStore } from './mirror-store.js';
import { ModelStore } from './model-store.js';
import { ScheduleStore } from './schedule-store.js';
import * as views from './status-views.js';
import { writeTransaction } from './transaction.js';

export class Store {
  /** The database file. */
  readonly path: string;
  /** The file the connection opened (database-identity.ts). */
  private readonly opened: DatabaseIdentity | null;
  /** The models to download, their options, holds and records (model-store.ts). */
  readonly models: ModelStore;
  /** The schedules, at most one enabled (schedule-store.ts). */
  readonly schedules: ScheduleStore;
  /** Download sessions and the worker's transactions (download-store.ts). */
  readonly downloads: DownloadStore;
  /** The settings stored in the database (config-store.ts). */
  readonly config: ConfigStore;
  /** The daemon's registration, heartbeat and command queue (daemon-store.ts). */
  readonly daemon: DaemonStore;
  /** The processes serving the cache as a Hub mirror (mirror-store.ts). */
  readonly mirrors: MirrorStore;

  /**
   * The connection is the store's alone: every caller goes through the
   * topics, and only the store speaks SQL.
   */
  constructor(
    path: string,
    private readonly db: Database.Database,
  ) {
    this.path = path;
    this.opened = databaseIdentity(path);
    this.models = new ModelStore(db);
    this.schedules = new ScheduleStore(db);
    this.downloads = new DownloadStore(db);
    this.config = new ConfigStore(db);
    this.daemon = new DaemonStore(db);
    this.mirrors = new MirrorStore(db);
  }

  /**
   * Null while `path` still names the file this store opened; otherwise why
   * not (deleted, replaced). A long-running process checks it regularly.
   */
  fileChange(): string | null {
    return databaseFileChange(this.path, this.opened);
  }

  /** Closes the connection; closing again is harmless. */
  close(): void {
    closeConnection(this.db);
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.db.open;
  }

  /**
   * Runs `fn`, which calls this store's topics, in one write transaction
   * (BEGIN IMMEDIATE, transaction.ts): all of it is committed, or none if it
   * throws. Callers outside the store group writes with it instead of SQL.
   */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, fn);
  }

  /** Throws when the database does not answer (health check). */
  ping(): void {
    views.pingDatabase(this.db);
  }

  /** Changes only when another connection has committed (status-views.ts). */
  dataVersion(): number {
    return views.dataVersion(this.db);
  }
}
