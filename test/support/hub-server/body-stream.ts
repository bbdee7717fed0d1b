/**
 * Writes one file body (or a byte range of it) to a response, streaming from
 * disk, honouring back-pressure, and applying the body faults: timed writes
 * for throttling, a real TCP close mid-body for drop, silence with the socket
 * open for stall, flipped bytes for corrupt.
 */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BodyFaults } from './faults.js';
import type { BlobSource } from './repo-store.js';
import type { LoggedRequest } from './types.js';

const READ_CHUNK_BYTES = 1024 * 1024;
/** Corrupt flips the first byte of the body and one byte every this many bytes. */
const CORRUPT_STRIDE = 1024 * 1024;

async function* readChunks(source: BlobSource, start: number, end: number): AsyncGenerator<Buffer> {
  if (end < start) return;
  if (source.kind === 'buffer') {
    for (let pos = start; pos <= end; pos += READ_CHUNK_BYTES) {
      yield source.data.subarray(pos, Math.min(end + 1, pos + READ_CHUNK_BYTES));
    }
    return;
  }
  // A repeated file: bytes [start, end] of the body, one pass over the file at a time.
  const fileSize = statSync(source.path).size;
  for (let pos = start; pos <= end;) {
    const within = pos % fileSize;
    const last = Math.min(fileSize - 1, within + (end - pos));
    const stream = createReadStream(source.path, { start: within, end: last, highWaterMark: READ_CHUNK_BYTES });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
    pos += last - within + 1;
  }
}

/** Resolves once everything written so far (head included) is handed to the kernel, or the socket is gone. */
function flushSocket(res: ServerResponse): Promise<void> {
  res.flushHeaders();
  const socket = res.socket;
  if (!socket || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const onClose = (): void => resolve();
    socket.once('close', onClose);
    // Writes are ordered: this empty write's callback runs after every earlier one.
    socket.write('', () => {
      socket.off('close', onClose);
      resolve();
    });
  });
}

/** Resolves when the response may take more data (back-pressure), or when it is gone. */
function writeWithBackPressure(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function corruptCopy(chunk: Buffer, bodyOffset: number): Buffer {
  const copy = Buffer.from(chunk);
  const firstHit = Math.ceil(bodyOffset / CORRUPT_STRIDE) * CORRUPT_STRIDE;
  for (let at = firstHit; at < bodyOffset + copy.length; at += CORRUPT_STRIDE) {
    const i = at - bodyOffset;
    copy[i] = copy[i]! ^ 0xff;
  }
  return copy;
}

/** Splits a chunk so that a throttled response writes small pieces on time. */
function* pieces(chunk: Buffer, size: number): Generator<Buffer> {
  for (let pos = 0; pos < chunk.length; pos += size) yield chunk.subarray(pos, pos + size);
}

function waitForClose(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

/**
 * Sends bytes [start, end] (inclusive) of `source`. The head (status and
 * headers) must already be set; it goes out with the first byte.
 */
export async function sendBody(
  res: ServerResponse,
  source: BlobSource,
  start: number,
  end: number,
  faults: BodyFaults,
  log: LoggedRequest,
): Promise<void> {
  const limit = faults.cut ? faults.cut.afterBytes : Infinity;
  const rate = faults.throttle;
  // ~50 timed writes a second keep the rate smooth without flooding timers.
  const pieceSize = rate === null ? Infinity : Math.max(1, Math.min(64 * 1024, Math.floor(rate / 50)));
  const startedAt = performance.now();
  let sent = 0;

  for await (const raw of readChunks(source, start, end)) {
    if (res.destroyed || sent >= limit) break;
    let chunk = raw.length > limit - sent ? raw.subarray(0, limit - sent) : raw;
    if (faults.corrupt) chunk = corruptCopy(chunk, sent);
    for (const piece of rate === null ? [chunk] : pieces(chunk, pieceSize)) {
      if (rate !== null) {
        const due = startedAt + (sent / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      }
      if (res.destroyed) break;
      await writeWithBackPressure(res, piece);
      sent += piece.length;
      log.bodyBytesSent = sent;
    }
  }

  if (faults.cut && sent >= limit && !res.destroyed) {
    // Wait until the bytes really left, so the client gets exactly `afterBytes`.
    await flushSocket(res);
    if (faults.cut.kind === 'drop') {
      // A FIN before Content-Length is reached: the client sees the body end early.
      res.socket?.destroy();
      return;
    }
    if (faults.cut.kind === 'reset') {
      // An RST, as a crashing middlebox sends: ECONNRESET on the client.
      res.socket?.resetAndDestroy();
      return;
    }
    await waitForClose(res);
    return;
  }
  if (!res.destroyed) res.end();
}
