/**
 * Refuses a database on a network filesystem. SQLite in WAL mode keeps its
 * wal-index in a memory-mapped `-shm` file that every connection must share,
 * so "WAL does not work over a network filesystem"
 * (https://www.sqlite.org/wal.html, "Disadvantages"), and the POSIX locks of
 * the other journal modes are unreliable on many of them
 * (https://www.sqlite.org/howtocorrupt.html#_filesystems_with_broken_or_missing_lock_implementations).
 * Two hosts writing one such database corrupt it; the cache itself may live
 * on a shared filesystem (docs/at-scale.md says which locks hold there).
 *
 * The filesystem is told by statfs(2)'s f_type, the magic numbers of
 * linux/magic.h and of the out-of-tree filesystems (Lustre, GPFS, BeeGFS).
 */
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConnectionError } from '../errors.js';

/** f_type -> name, for filesystems that reach other hosts. */
const NETWORK_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x00c36400, 'CephFS'],
  [0x0bd00bd0, 'Lustre'],
  [0x47504653, 'GPFS (IBM Storage Scale)'],
  [0x19830326, 'BeeGFS'],
  [0x01021997, '9p'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'AFS'],
  [0x73757245, 'Coda'],
  [0x564c, 'NCP'],
  [0xaad7aaea, 'PanFS'],
  [0x7461636f, 'OCFS2'],
  [0x01161970, 'GFS2'],
]);

/** FUSE filesystems may be local (an encrypted folder) or remote (sshfs, s3fs, GlusterFS): not refused. */
const FUSE = 0x65735546;

export type FilesystemKind = { kind: 'local' } | { kind: 'fuse' } | { kind: 'network'; name: string };

/** What statfs's f_type says about a filesystem. */
export function classifyFilesystem(type: number): FilesystemKind {
  // f_type is a signed long; a 32-bit build would show 0xFF534D42 as negative.
  const magic = type >>> 0;
  const network = NETWORK_FILESYSTEMS.get(magic);
  if (network !== undefined) return { kind: 'network', name: network };
  return magic === FUSE ? { kind: 'fuse' } : { kind: 'local' };
}

/** The filesystem that holds (or will hold) the database file. */
export function databaseFilesystem(dbPath: string, exists: boolean): FilesystemKind {
  const probe = exists ? resolve(dbPath) : dirname(resolve(dbPath));
  try {
    return classifyFilesystem(statfsSync(probe).type);
  } catch {
    // statfs missing (an old kernel) or refused: SQLite's own open reports a real problem.
    return { kind: 'local' };
  }
}

/** ConnectionError when the database is on a network filesystem. */
export function refuseNetworkFilesystem(dbPath: string, exists: boolean): void {
  const filesystem = databaseFilesystem(dbPath, exists);
  if (filesystem.kind !== 'network') return;
  throw new ConnectionError(
    `database ${dbPath} is on ${filesystem.name}, a network filesystem: SQLite's WAL needs memory shared on one host, and two hosts would corrupt it; put the database on a local disk (HFSCHED_DB or --db) and keep only the cache on the shared filesystem`,
  );
}
