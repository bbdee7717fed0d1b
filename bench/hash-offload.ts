/**
 * Item 3's question, measured: is a large file's sha256 cheaper (in wall
 * time, and at what CPU) on a worker thread, while the main thread decrypts
 * and writes, than inline on the main thread as FileSink does
 * (src/hub/transfer/blob-sink.ts)? One file over one connection, read as the
 * engine reads it (bulk-get.ts: up to 1 MiB per socket read into one reused
 * buffer), written to `out` with writeSync, and hashed:
 *   inline  hash.update(piece) on the main thread, then the write;
 *   worker  pieces copied into one of 8 pooled 1 MiB ArrayBuffers until it
 *           is full, which is then transferred (not cloned) to a worker
 *           that hashes it and sends the buffer back; the main thread
 *           writes meanwhile. The socket's buffer is reused by the next
 *           read, so one copy is the least a hand-over costs, and a full
 *           buffer a message is the fewest messages (a message per 16 KiB
 *           TLS read cost more than the hashing it moved).
 * Exits 1 if the digest is not `sha256`.
 *
 * Usage: node hash-offload.js <url> <out file> <inline|worker> <sha256> [ca.pem]
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Worker } from 'node:worker_threads';
import { BulkConnectionPool, bulkGet } from '../src/hub/protocol/bulk-get.js';

const [url, out, mode, expected, caPath] = process.argv.slice(2);
if (!url || !out || (mode !== 'inline' && mode !== 'worker') || !expected)
  throw new Error('usage: hash-offload <url> <out file> <inline|worker> <sha256> [ca.pem]');

const SLOT_BYTES = 1024 * 1024;
const SLOTS = 8;

/** The worker: hashes each buffer it is given and gives it back; answers 'end' with the digest. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (message) => {
  if (message === 'end') return parentPort.postMessage(hash.digest('hex'));
  hash.update(new Uint8Array(message.buffer, 0, message.length));
  parentPort.postMessage(message.buffer, [message.buffer]);
});
`;

/** Hashes on a worker thread: pieces are copied into pooled buffers, transferred there and back. */
class WorkerHash {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly free: ArrayBuffer[] = Array.from({ length: SLOTS }, () => new ArrayBuffer(SLOT_BYTES));
  private waiting: (() => void) | null = null;
  private digestWaiter: ((digest: string) => void) | null = null;

  constructor() {
    this.worker.on('message', (message: ArrayBuffer | string) => {
      if (typeof message === 'string') return this.digestWaiter?.(message);
      this.free.push(message);
      const wake = this.waiting;
      this.waiting = null;
      wake?.();
    });
  }

  /** The buffer being filled, and how much of it is. */
  private slot: ArrayBuffer | null = null;
  private filled = 0;

  async update(piece: Buffer): Promise<void> {
    for (let offset = 0; offset < piece.length;) {
      if (this.slot === null) {
        while (this.free.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
        this.slot = this.free.pop()!;
        this.filled = 0;
      }
      const copied = piece.copy(new Uint8Array(this.slot), this.filled, offset);
      offset += copied;
      this.filled += copied;
      if (this.filled === SLOT_BYTES) this.send();
    }
  }

  private send(): void {
    if (this.slot === null) return;
    this.worker.postMessage({ buffer: this.slot, length: this.filled }, [this.slot]);
    this.slot = null;
  }

  async digest(): Promise<string> {
    this.send();
    const digest = new Promise<string>((resolve) => (this.digestWaiter = resolve));
    this.worker.postMessage('end');
    const hex = await digest;
    await this.worker.terminate();
    return hex;
  }
}

async function main(): Promise<void> {
  const pool = new BulkConnectionPool();
  const ca = caPath ? [...rootCertificates, readFileSync(caPath, 'utf8')] : undefined;
  const get = (target: URL) =>
    bulkGet(pool, { url: target, method: 'GET', headers: {}, ca, signal: new AbortController().signal });
  let response = await get(new URL(url!));
  // The Hub's resolve URL redirects to its CDN, as curl -L follows.
  const location = response.headers.location;
  if (response.status >= 300 && response.status < 400 && typeof location === 'string') {
    response.drain();
    response = await get(new URL(location, url));
  }
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const fd = openSync(out!, 'w');
  let digest: string;
  if (mode === 'inline') {
    const hash = createHash('sha256');
    for await (const piece of response.body) {
      hash.update(piece);
      writeSync(fd, piece);
    }
    digest = hash.digest('hex');
  } else {
    const hash = new WorkerHash();
    for await (const piece of response.body) {
      await hash.update(piece);
      writeSync(fd, piece);
    }
    digest = await hash.digest();
  }
  closeSync(fd);
  pool.close();
  if (digest !== expected) throw new Error(`sha256 ${digest}, expected ${expected}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`hash-offload: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
