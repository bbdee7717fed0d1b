/**
 * Worker thread that hashes one blob while it downloads, so the hash (the
 * slowest step on a fast link) runs beside the network and disk work instead
 * of in line with it. It gets bytes two ways, in file order: buffers handed
 * over (transferred, not copied) as they are written, and "read [from, to)
 * from the file" for parts written out of order by other connections or left
 * by an earlier run. Protocol: see blob-hasher.ts.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { HashWorkerData, ToHashWorker, FromHashWorker } from './blob-hasher.js';

const READ_BYTES = 4 * 1024 * 1024;

const data = workerData as HashWorkerData;
const port = parentPort!;
const hash = createHash(data.algorithm === 'sha256' ? 'sha256' : 'sha1');
// A git blob id is the sha1 of "blob {size}\0" followed by the content.
if (data.algorithm === 'git-sha1') hash.update(`blob ${data.size}\0`);

let fd: number | null = null;
let readBuffer: Buffer | null = null;

function hashFileRange(from: number, to: number): void {
  fd ??= openSync(data.filePath, 'r');
  readBuffer ??= Buffer.allocUnsafe(READ_BYTES);
  let position = from;
  while (position < to) {
    const bytes = readSync(fd, readBuffer, 0, Math.min(READ_BYTES, to - position), position);
    if (bytes === 0) throw new Error(`${data.filePath} ends at ${position}, before ${to}`);
    hash.update(readBuffer.subarray(0, bytes));
    position += bytes;
  }
}

function reply(message: FromHashWorker): void {
  port.postMessage(message);
}

port.on('message', (message: ToHashWorker) => {
  try {
    if (message.type === 'data') {
      hash.update(new Uint8Array(message.buffer, message.byteOffset, message.length));
      // The buffer goes back to the main thread's pool.
      port.postMessage({ type: 'hashed', bytes: message.length, buffer: message.buffer } satisfies FromHashWorker, [
        message.buffer,
      ]);
    } else if (message.type === 'file') {
      hashFileRange(message.from, message.to);
    } else {
      if (fd !== null) closeSync(fd);
      reply({ type: 'digest', hex: hash.digest('hex') });
    }
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
