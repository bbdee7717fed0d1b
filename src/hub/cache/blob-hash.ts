/**
 * A blob's hash, as the cache names blobs by it: sha256 for LFS files, the
 * git blob id (sha1 over a "blob {size}\0" header) for the others.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** The names the database's `model_files.hash_kind` uses too (docs/database.md). */
export type HashAlgorithm = 'sha256' | 'gitsha1';

/** Files on disk are read this much at a time. */
export const READ_BYTES = 1024 * 1024;

export function newHash(algorithm: HashAlgorithm, size: number): Hash {
  const hash = createHash(algorithm === 'sha256' ? 'sha256' : 'sha1');
  // A git blob id is the sha1 of "blob {size}\0" followed by the content.
  if (algorithm === 'gitsha1') hash.update(`blob ${size}\0`);
  return hash;
}

/**
 * The hex digest of the first `size` bytes of a file on disk, read a MiB at
 * a time without blocking the event loop (a blob checked after the fact, not
 * one being downloaded).
 */
export async function hashFileOnDisk(algorithm: HashAlgorithm, path: string, size: number): Promise<string> {
  const hash = newHash(algorithm, size);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(READ_BYTES, size)));
    for (let position = 0; position < size;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) throw new Error(`${path} ends at ${position}, before ${size}`);
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
