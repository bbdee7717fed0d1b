/**
 * Another process holding a blob's lock the way huggingface_hub does: its
 * WeakFileLock is filelock's UnixFileLock, which opens the lock file with
 * O_RDWR | O_CREAT | O_TRUNC and takes flock(fd, LOCK_EX | LOCK_NB)
 * (https://github.com/tox-dev/filelock/blob/main/src/filelock/_unix.py).
 * The child runs those same system calls (through fs-ext), says "locked",
 * and holds the lock until told "release" on stdin (or until it is killed:
 * the kernel then drops the lock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';

const FS_EXT = createRequire(import.meta.url).resolve('fs-ext');

const CHILD = `
const { flockSync } = require(${JSON.stringify(FS_EXT)});
const fs = require('node:fs');
const path = process.argv[1];
const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
try { flockSync(fd, 'exnb'); } catch (error) { process.stdout.write('busy ' + error.code + '\\n'); process.exit(3); }
process.stdout.write('locked\\n');
process.stdin.on('data', () => { flockSync(fd, 'un'); fs.closeSync(fd); process.stdout.write('released\\n'); process.exit(0); });
`;

/** The same, in Python with the standard library: filelock's UnixFileLock._acquire, line for line. */
const PYTHON_CHILD = `
import fcntl, os, sys
path = sys.argv[1]
fd = os.open(path, os.O_RDWR | os.O_TRUNC | os.O_CREAT, 0o644)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError as error:
    print('busy', error.errno, flush=True)
    sys.exit(3)
print('locked', flush=True)
sys.stdin.readline()
fcntl.flock(fd, fcntl.LOCK_UN)
os.close(fd)
print('released', flush=True)
`;

export interface FileLockHolder {
  child: ChildProcess;
  pid: number;
  /** Unlocks, closes and exits, as FileLock.release() then the end of the process. */
  release(): Promise<void>;
}

/**
 * Resolves once the child holds the lock; rejects when it could not take it
 * (printing "busy EAGAIN"). `python3` runs the Python version instead of Node's.
 */
export async function holdFileLock(lockPath: string, runtime: 'node' | 'python3' = 'node'): Promise<FileLockHolder> {
  const child =
    runtime === 'node'
      ? spawn(process.execPath, ['-e', CHILD, lockPath], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('python3', ['-c', PYTHON_CHILD, lockPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (text: string) => {
      output += text;
      if (output.includes('locked')) resolve();
      if (output.includes('busy')) reject(new Error(`the lock is held elsewhere: ${output.trim()}`));
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking: ${output}`)));
    child.once('error', reject);
  });
  return {
    child,
    pid: child.pid!,
    async release() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.write('release\n');
      await exited;
    },
  };
}

/** Tries once, as FileLock.acquire(blocking=False) would: true when the lock could be taken (and is let go at once). */
export async function fileLockIsFree(lockPath: string): Promise<boolean> {
  try {
    const holder = await holdFileLock(lockPath);
    await holder.release();
    return true;
  } catch {
    return false;
  }
}
