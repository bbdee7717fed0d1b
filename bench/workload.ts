/**
 * The large file of the benchmark: random bytes written to disk in chunks
 * (never whole in memory), hashed with sha256 on the way. Timing only the
 * hash updates gives the rate at which Node computes sha256 on one core,
 * over the very bytes the clients will download: the ceiling of a verifying
 * download on loopback.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

const CHUNK_BYTES = 8 * 1024 * 1024;

export interface LargeFile {
  path: string;
  size: number;
  sha256: string;
}

export function writeLargeFile(path: string, size: number): LargeFile {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size;) {
      const part = chunk.subarray(0, Math.min(CHUNK_BYTES, size - written));
      randomFillSync(part);
      hash.update(part);
      writeSync(fd, part);
      written += part.length;
    }
  } finally {
    closeSync(fd);
  }
  return { path, size, sha256: hash.digest('hex') };
}

/**
 * sha256 of the file read back (from the page cache), timing only the hash:
 * bytes per second of one core. Also checks the file is what was written.
 */
export function measureSha256Rate(file: LargeFile): number {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(file.path, 'r');
  let hashingMs = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      const started = performance.now();
      hash.update(chunk.subarray(0, read));
      hashingMs += performance.now() - started;
    }
  } finally {
    closeSync(fd);
  }
  const started = performance.now();
  const digest = hash.digest('hex');
  hashingMs += performance.now() - started;
  if (digest !== file.sha256)
    throw new Error(`${file.path} changed on disk: sha256 ${digest}, expected ${file.sha256}`);
  return file.size / (hashingMs / 1000);
}

/**
 * Writes `size` bytes of zeros to `path`, then deletes it: a warm-up, so that
 * no measured run pays for memory the machine hands out for the first time
 * in a while (on a VM that costs the kernel several times its usual price,
 * whoever writes).
 */
export function warmUpMemory(path: string, size: number): void {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += chunk.length) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** sha256 of `file` read `times` over: the body the bench Hub serves for (e). */
export function repeatedSha256(file: LargeFile, times: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const input = openSync(file.path, 'r');
  try {
    for (let pass = 0; pass < times; pass++) {
      for (let position = 0; position < file.size;) {
        const read = readSync(input, chunk, 0, Math.min(CHUNK_BYTES, file.size - position), position);
        if (read === 0) throw new Error(`${file.path} ends at ${position}, before ${file.size}`);
        hash.update(chunk.subarray(0, read));
        position += read;
      }
    }
  } finally {
    closeSync(input);
  }
  return hash.digest('hex');
}
