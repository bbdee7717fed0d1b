/**
 * Which file a long-running connection has open. A database deleted, or
 * replaced (`mv`, `init` after an `rm`, a restore from backup), under a
 * running daemon used to go unnoticed: the daemon wrote on into the old
 * file that no one else could see any more, the CLI read the new one, and a
 * second daemon registered beside the first.
 *
 * The identity is the file's (device, inode) when the connection opened it.
 * SQLite keeps that file open for the connection's life, so its inode
 * cannot be freed and reused meanwhile: while the path still names the same
 * (device, inode), it is the same file, with at least that one link; when it
 * names another, or nothing, the open file was replaced or unlinked.
 *
 * No descriptor of our own is kept open for this: closing any descriptor of
 * a file drops every POSIX lock this process holds on it, SQLite's included
 * (https://www.sqlite.org/howtocorrupt.html, section 2.2).
 */
import { statSync } from 'node:fs';

export interface DatabaseIdentity {
  dev: number;
  ino: number;
}

/** The identity of the file at `path` now; null for an in-memory database or a missing file. */
export function databaseIdentity(path: string): DatabaseIdentity | null {
  if (path === ':memory:' || path === '') return null;
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats === undefined ? null : { dev: stats.dev, ino: stats.ino };
}

/** Why `path` no longer names the file opened as `opened`, or null when it still does. */
export function databaseFileChange(path: string, opened: DatabaseIdentity | null): string | null {
  if (opened === null) return null;
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    // A folder made unreadable is not a replaced file; SQLite reports what it cannot do.
    return null;
  }
  if (stats === undefined) return `the database file ${path} was deleted while it was open`;
  if (stats.dev !== opened.dev || stats.ino !== opened.ino) {
    return `the database file ${path} was replaced by another file while it was open (inode ${stats.ino}, was ${opened.ino})`;
  }
  return null;
}
