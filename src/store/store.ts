/**
 * `Store`: one open database and every operation of the contract on it.
 * A CLI call opens one Store and closes it; a long-running process keeps one
 * for its whole life. Get one with `openStore(path)` (database-lifecycle.ts).
 */
import type Database from 'better-sqlite3';
import { closeConnection } from './connection.js';
import { databaseFileChange, databaseIdentity, type DatabaseIdentity } from './database-identity.js';
import * as commands from './daemon-commands.js';
import type { CommandAnswer, DaemonCommand, DaemonCommandName } from './daemon-commands.js';
import * as registration from './daemon-registration.js';
import type { DaemonRegistration, DaemonSnapshot, DaemonStatusRecord } from './daemon-registration.js';
import { DownloadStore } from './download-store.js';
import * as mirrors from './mirror-status.js';
import type { MirrorRegistration, MirrorStatusRecord } from './mirror-status.js';
import { ModelStore } from './model-store.js';
import { ScheduleStore } from './schedule-store.js';
import * as views from './status-views.js';
import * as systemConfig from './system-config.js';
import { writeTransaction } from './transaction.js';
import type { SystemConfiguration } from './types.js';

export class Store {
  /** The database file. */
  readonly path: string;
  /**
   * The better-sqlite3 connection, for store modules only (src/store/*.ts):
   * everything else goes through the methods, which forward to one module
   * per topic; those validate, keep transactions short and translate errors.
   */
  readonly db: Database.Database;
  /** The file the connection opened (database-identity.ts). */
  private readonly opened: DatabaseIdentity | null;
  /** The models to download, their options, holds and records (model-store.ts). */
  readonly models: ModelStore;
  /** The schedules, at most one enabled (schedule-store.ts). */
  readonly schedules: ScheduleStore;
  /** Download sessions and the worker's transactions (download-store.ts). */
  readonly downloads: DownloadStore;

  constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.opened = databaseIdentity(path);
    this.models = new ModelStore(db);
    this.schedules = new ScheduleStore(db);
    this.downloads = new DownloadStore(db);
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
   * Runs `fn`, which calls this store's methods, in one write transaction
   * (BEGIN IMMEDIATE, transaction.ts): all of it is committed, or none if it
   * throws. Callers outside the store group writes with it instead of SQL.
   */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, fn);
  }

  // System configuration (contract)

  getSystemConfig(key: string, defaultValue?: string | null): string | null {
    return systemConfig.getSystemConfig(this.db, key, defaultValue);
  }

  setSystemConfig(key: string, value: string, description?: string | null): boolean {
    return systemConfig.setSystemConfig(this.db, key, value, description);
  }

  listSystemConfig(): SystemConfiguration[] {
    return systemConfig.listSystemConfig(this.db);
  }

  // The daemon's registration and heartbeat (daemon-registration.ts)

  /** The registered daemon's row, alive or not (see src/control/liveness.ts), or null. */
  readDaemonStatus(): DaemonStatusRecord | null {
    return registration.readDaemonStatus(this.db);
  }

  /** Registers unless `isAlive` says the registered daemon still runs (then returns its row). */
  claimDaemonStatus(
    daemon: DaemonRegistration,
    isAlive: (current: DaemonStatusRecord) => boolean,
  ): DaemonStatusRecord | null {
    return registration.claimDaemonStatus(this.db, daemon, isAlive);
  }

  /** false: the registration is no longer this pid's. */
  writeDaemonHeartbeat(pid: number, snapshot: DaemonSnapshot): boolean {
    return registration.writeDaemonHeartbeat(this.db, pid, snapshot);
  }

  releaseDaemonStatus(pid: number): boolean {
    return registration.releaseDaemonStatus(this.db, pid);
  }

  // The mirrors serving the cache (mirror-status.ts)

  registerMirror(mirror: MirrorRegistration): void {
    mirrors.registerMirror(this.db, mirror);
  }

  /** false: the row is gone. */
  writeMirrorHeartbeat(
    key: { hostname: string; pid: number },
    totals: { requests: number; bytesSent: number },
  ): boolean {
    return mirrors.writeMirrorHeartbeat(this.db, key, totals);
  }

  releaseMirror(key: { hostname: string; pid: number }): boolean {
    return mirrors.releaseMirror(this.db, key);
  }

  /** Every row, alive or not. */
  listMirrors(): MirrorStatusRecord[] {
    return mirrors.listMirrors(this.db);
  }

  // The command queue (daemon-commands.ts)

  sendDaemonCommand(command: DaemonCommandName, modelId: number | null): DaemonCommand {
    return commands.sendDaemonCommand(this.db, command, modelId);
  }

  getDaemonCommand(id: number): DaemonCommand | null {
    return commands.getDaemonCommand(this.db, id);
  }

  unhandledDaemonCommands(): DaemonCommand[] {
    return commands.unhandledDaemonCommands(this.db);
  }

  /** false: already handled. */
  finishDaemonCommand(id: number, answer: CommandAnswer): boolean {
    return commands.finishDaemonCommand(this.db, id, answer);
  }

  /** Ends every waiting command as an error with `message`. */
  expireDaemonCommands(message: string): number {
    return commands.expireDaemonCommands(this.db, message);
  }

  // Views for status, metrics and health (status-views.ts)

  /** Throws when the database does not answer. */
  pingDatabase(): void {
    views.pingDatabase(this.db);
  }

  /** Changes only when another connection has committed (status-views.ts). */
  dataVersion(): number {
    return views.dataVersion(this.db);
  }
}
