/**
 * Who holds a flock(2) lock on a file, for messages only ("waiting for pid
 * 4242 (python3)"). Linux lists every lock in /proc/locks as
 * `1: FLOCK  ADVISORY  WRITE 4242 00:2e:1234567 0 EOF` (proc(5)); the lock's
 * file is named by device and inode. A process in another pid namespace
 * (a container) or on another host is not listed: the answer is then null.
 */
import { readFileSync, statSync } from 'node:fs';

export interface LockHolder {
  pid: number;
  /** The process's command name (/proc/PID/comm), when readable. */
  command: string | null;
}

function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function flockHolder(path: string): LockHolder | null {
  let text: string;
  let inode: number;
  try {
    inode = statSync(path).ino;
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    // Waiters are listed as "1: -> FLOCK ..."; only the holder counts.
    const match = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/i.exec(line);
    if (match === null || Number(match[2]) !== inode) continue;
    const pid = Number(match[1]);
    return { pid, command: commandOf(pid) };
  }
  return null;
}

/** "pid 4242 (python3)", or "another process" when it cannot be told. */
export function describeHolder(holder: LockHolder | null): string {
  if (holder === null) return 'another process';
  return holder.command === null ? `pid ${holder.pid}` : `pid ${holder.pid} (${holder.command})`;
}
