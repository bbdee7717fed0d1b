/**
 * `store.daemon`: the running daemon's registration and heartbeat
 * (daemon-registration.ts), and the queue of commands the CLI sends it
 * (daemon-commands.ts).
 */
import type Database from 'better-sqlite3';
import * as commands from './daemon-commands.js';
import type { CommandAnswer, DaemonCommand, DaemonCommandName } from './daemon-commands.js';
import * as registration from './daemon-registration.js';
import type { DaemonRegistration, DaemonSnapshot, DaemonStatusRecord } from './daemon-registration.js';

export class DaemonStore {
  constructor(private readonly db: Database.Database) {}

  // Registration and heartbeat

  /** The registered daemon's row, alive or not (see src/control/liveness.ts), or null. */
  status(): DaemonStatusRecord | null {
    return registration.readDaemonStatus(this.db);
  }

  /** Registers unless `isAlive` says the registered daemon still runs (then returns its row). */
  claim(daemon: DaemonRegistration, isAlive: (current: DaemonStatusRecord) => boolean): DaemonStatusRecord | null {
    return registration.claimDaemonStatus(this.db, daemon, isAlive);
  }

  /** false: the registration is no longer this pid's. */
  heartbeat(pid: number, snapshot: DaemonSnapshot): boolean {
    return registration.writeDaemonHeartbeat(this.db, pid, snapshot);
  }

  release(pid: number): boolean {
    return registration.releaseDaemonStatus(this.db, pid);
  }

  // The command queue

  /** Queues a command. `run-now` takes no model (null); the others need one. */
  sendCommand(command: DaemonCommandName, modelId: number | null): DaemonCommand {
    return commands.sendDaemonCommand(this.db, command, modelId);
  }

  getCommand(id: number): DaemonCommand | null {
    return commands.getDaemonCommand(this.db, id);
  }

  /** The commands waiting for the daemon, oldest first. */
  unhandledCommands(): DaemonCommand[] {
    return commands.unhandledDaemonCommands(this.db);
  }

  /** false: already handled. */
  finishCommand(id: number, answer: CommandAnswer): boolean {
    return commands.finishDaemonCommand(this.db, id, answer);
  }

  /** Ends every waiting command as an error with `message`; how many. */
  expireCommands(message: string): number {
    return commands.expireDaemonCommands(this.db, message);
  }
}
