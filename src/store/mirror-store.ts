/**
 * `store.mirrors`: the processes serving the cache as a Hub mirror, each with
 * its heartbeat and totals, for `hfsched status`. Each method forwards to
 * mirror-status.ts.
 */
import type Database from 'better-sqlite3';
import * as mirrors from './mirror-status.js';
import type { MirrorRegistration, MirrorStatusRecord } from './mirror-status.js';

export class MirrorStore {
  constructor(private readonly db: Database.Database) {}

  /** Records a serving process (replacing a row a previous process with the same pid left). */
  register(mirror: MirrorRegistration): void {
    mirrors.registerMirror(this.db, mirror);
  }

  /** The heartbeat with the totals since start. false: the row is gone. */
  heartbeat(key: { hostname: string; pid: number }, totals: { requests: number; bytesSent: number }): boolean {
    return mirrors.writeMirrorHeartbeat(this.db, key, totals);
  }

  release(key: { hostname: string; pid: number }): boolean {
    return mirrors.releaseMirror(this.db, key);
  }

  /** Every row, alive or not (src/control/liveness.ts judges). */
  list(): MirrorStatusRecord[] {
    return mirrors.listMirrors(this.db);
  }
}
