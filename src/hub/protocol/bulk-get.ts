/**
 * Our lean HTTP/1.1 client, for every request on a direct connection
 * (http-client.ts; through a proxy, undici carries them).
 *
 * Why: on a fast link the client's own cost per byte decides the speed and
 * the CPU bill. undici reads the socket 64 KiB at a time into a fresh Buffer
 * and runs each read through its parser and a stream; here the socket reads
 * up to 1 MiB at a time into one reused buffer (net's `onread` option), and
 * the body is handed over as it lies in that buffer: copied once by the
 * kernel, hashed and written, no garbage (docs/performance.md).
 *
 * Scope, on purpose small: GET and HEAD; bodies framed by Content-Length,
 * chunked (chunked-body.ts) or the end of the connection. Another answer
 * (an interim 1xx, another transfer coding) is refused with
 * BulkUnsupportedError before any body byte is handed over; the caller then
 * sends the request through undici. Connections are kept alive per origin,
 * closed after a few seconds idle, and never keep the process alive.
 */
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { ChunkedDecoder } from './chunked-body.js';
import { bodyFraming, parseHead, requestHead } from './http1-message.js';
import { TransferError } from '../errors.js';

/** Bytes one socket read may bring: large reads are what makes this path cheap. */
const READ_BUFFER_BYTES = 1024 * 1024;
/** A connection starts with this much and grows to READ_BUFFER_BYTES while reads fill its buffer (a fast link). */
const FIRST_READ_BUFFER_BYTES = 64 * 1024;
/**
 * Over TLS a socket read is one record's cleartext, 16 KiB at most (Node's
 * TLSWrap::ClearOut hands them out one by one): 65,536 reads a GiB. Handing
 * each to the reader as a piece, and pausing the socket until the reader
 * asked for the next, cost an event-loop turn, a pause and a resume, a
 * hash update and a copy per 16 KiB. So over TLS the reads are gathered:
 * each goes into the read buffer right after the bytes the reader has not
 * let go of yet, and joins the piece waiting there. The reader then gets
 * everything read since it last asked, in one piece.
 */
const TLS_RECORD_BYTES = 16 * 1024;
/**
 * The two buffers TLS reads are gathered in, in turn (one may hold the
 * reader's piece while the other fills). 128 KiB: a piece that large costs
 * the reader nothing more per byte, and a download of 16 connections holds
 * 4 MiB of them.
 */
const TLS_GATHER_BUFFER_BYTES = 128 * 1024;
/**
 * When both gather buffers hold bytes the reader has yet to let go of, the
 * socket is paused; but a paused TLS socket still hands out every record it
 * has already decrypted (TLSWrap::ClearOut does not stop when the stream is
 * paused). Those go to spare buffers of one record each, reused, so that
 * nothing is written over a piece still the reader's (a reader that waited
 * between pieces, for the bandwidth limit or a slow disk, once lost bytes
 * that way). A plain socket reads nothing once paused.
 */
const SPARE_READ_BUFFER_BYTES = TLS_RECORD_BYTES;
/** Spare buffers kept for reuse per connection (needed only while both gather buffers are in use). */
const MAX_SPARE_READ_BUFFERS = 4;
/** A response head larger than this is not a file server's. */
const MAX_HEAD_BYTES = 64 * 1024;
const IDLE_KEEP_MS = 4000;
const MAX_IDLE_PER_ORIGIN = 16;

/** The response is not one this module reads; send the request through undici instead. */
export class BulkUnsupportedError extends Error {}

export interface BulkRequest {
  url: URL;
  method: 'GET' | 'HEAD';
  /** Header names and values, sent as given (Host is added). */
  headers: Record<string, string>;
  /** Certificate authorities for https, or undefined for Node's store. */
  ca: string[] | undefined;
  /** Aborting it ends the exchange, whatever its phase, with the signal's reason. */
  signal: AbortSignal;
}

export interface BulkResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /**
   * The body, a piece per socket read. A piece lives in the connection's
   * read buffer: it is valid until the next one is asked for, so a reader
   * copies what it keeps. The connection reads no further until then.
   */
  body: AsyncIterable<Buffer>;
  /** Reads and drops the rest of the body (the connection is then reused). */
  drain(): void;
  /** Ends the exchange now: the next read, or the one waiting, rejects with `reason`. */
  destroy(reason: Error): void;
}

/** What Node's own createSecureContext calls on a context's native half to trust one more CA. */
interface NativeSecureContext {
  addCACert(pem: string): void;
}

/**
 * A list holding all of Node's bundled roots (hub-network.ts adds
 * hub.ca_bundle to them) is made from Node's root store, which Node parses
 * once per process in C++, plus the other certificates: passing the roots
 * again as PEM text parsed them all once more, 57 ms of CPU at a pull's first
 * connection here instead of 29. Null when `ca` leaves some root out (then
 * exactly `ca`).
 */
function withNodeRoots(ca: string[]): tls.SecureContext | null {
  const given = new Set(ca);
  if (!tls.rootCertificates.every((root) => given.has(root))) return null;
  const roots = new Set(tls.rootCertificates);
  const context = tls.createSecureContext();
  const native = context.context as NativeSecureContext;
  for (const pem of ca) if (!roots.has(pem)) native.addCACert(pem);
  return context;
}

/**
 * The kept-alive connections of one HubRuntime, per origin and trust, and
 * the TLS contexts they are made with. One pool serves every download and
 * check of a process (the daemon, a pull), so that a connection opened by
 * one request is reused by the next.
 */
export class BulkConnectionPool {
  private readonly idle = new Map<string, Connection[]>();
  /**
   * One TLS context per set of trusted CAs, made on first use: a context made
   * from `ca` parses every certificate in it (the system's roots and the
   * bundle, about 140), which cost 0.1-0.2 s of CPU per connection when each
   * connection made its own.
   */
  private readonly secureContexts = new WeakMap<string[], tls.SecureContext>();
  private readonly trustKeys = new WeakMap<string[], number>();
  private trustKeysMade = 0;
  private closed = false;

  /** Closes the idle connections; those in use close when their exchange ends, as none is kept from now on. */
  close(): void {
    this.closed = true;
    const lists = [...this.idle.values()];
    this.idle.clear();
    for (const connection of lists.flat()) connection.close();
  }

  secureContextFor(ca: string[]): tls.SecureContext {
    let context = this.secureContexts.get(ca);
    if (context === undefined) {
      context = withNodeRoots(ca) ?? tls.createSecureContext({ ca });
      this.secureContexts.set(ca, context);
    }
    return context;
  }

  /** A connection made with one set of trusted CAs serves only requests that trust the same. */
  keyOf(request: BulkRequest): string {
    return `${request.url.protocol}//${request.url.host} ${this.trustKey(request.ca)}`;
  }

  private trustKey(ca: string[] | undefined): string {
    if (ca === undefined) return 'default';
    let key = this.trustKeys.get(ca);
    if (key === undefined) {
      this.trustKeysMade += 1;
      key = this.trustKeysMade;
      this.trustKeys.set(ca, key);
    }
    return `ca${key}`;
  }

  take(key: string): Connection | null {
    const list = this.idle.get(key);
    while (list !== undefined && list.length > 0) {
      const connection = list.pop()!;
      if (list.length === 0) this.idle.delete(key);
      if (connection.takeFromIdle()) return connection;
    }
    return null;
  }

  put(connection: Connection): void {
    const list = this.idle.get(connection.key) ?? [];
    if (this.closed || list.length >= MAX_IDLE_PER_ORIGIN) {
      connection.close();
      return;
    }
    list.push(connection);
    this.idle.set(connection.key, list);
  }

  drop(connection: Connection): void {
    const list = this.idle.get(connection.key);
    const at = list?.indexOf(connection) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.idle.delete(connection.key);
  }
}

/** Sends a GET or HEAD on a connection of `pool` and resolves once the response's head has arrived. */
export async function bulkGet(pool: BulkConnectionPool, request: BulkRequest): Promise<BulkResponse> {
  const head = requestHead(request.method, request.url, request.headers);
  const { method, signal } = request;
  // No connection is made for a request already ended (a pause).
  signal.throwIfAborted();
  const key = pool.keyOf(request);
  const reused = pool.take(key);
  if (reused !== null) {
    try {
      return await reused.exchange(head, method, signal);
    } catch (error) {
      // A kept-alive connection the server closed meanwhile fails before any answer: try once on a new one.
      if (!reused.answered && !signal.aborted && !(error instanceof BulkUnsupportedError))
        return new Connection(pool, key, request).exchange(head, method, signal);
      throw error;
    }
  }
  return new Connection(pool, key, request).exchange(head, method, signal);
}

/** Where the current exchange is. */
type Phase = 'head' | 'body' | 'done';

/** Body bytes for the reader, and the buffer they lie in (this.buffer, the other gather buffer, or a spare). */
interface Piece {
  piece: Buffer;
  in: Buffer;
}

class Connection {
  private readonly socket: net.Socket;
  /** Where the socket reads: on a plain socket replaced by a larger one while reads fill it (see onRead); over TLS one of two gather buffers. */
  private buffer: Buffer;
  private phase: Phase = 'done';
  private headBytes: Buffer[] = [];
  private method: BulkRequest['method'] = 'GET';
  /** Body bytes still to come; -1 for a body that runs until the connection closes or is chunked. */
  private remaining = 0;
  /** The decoder of a chunked body, else null. */
  private chunked: ChunkedDecoder | null = null;
  private reusable = false;
  private failure: Error | null = null;
  /**
   * Pieces read but not yet handed to the reader, in order, each with the
   * buffer it lies in. A plain socket is paused while one waits; over TLS
   * reads go on and join the last one (TLS_RECORD_BYTES), and the socket is
   * paused only when no buffer has room.
   */
  private readonly pending: Piece[] = [];
  /** The piece the reader holds until it asks for the next, or null. */
  private held: Piece | null = null;
  /** Over TLS: the gather buffer not being read into now (made when first needed), else null. */
  private otherBuffer: Buffer | null = null;
  /** Over TLS: spare read buffers no piece lies in; null on a plain socket, which never needs one. */
  private readonly spares: Buffer[] | null;
  /** Whether onRead last paused the socket (it reads on at resumeReading()). */
  private readingStopped = false;
  private draining = false;
  private wake: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private signal: AbortSignal | null = null;
  private onHead: { resolve: (response: BulkResponse) => void; reject: (error: Error) => void } | null = null;
  /** Exchanges so far on this connection (the current one's number). */
  private exchanges = 0;
  /** Whether the current exchange got any byte back. */
  answered = false;

  constructor(
    private readonly pool: BulkConnectionPool,
    readonly key: string,
    request: BulkRequest,
  ) {
    // A function: net asks for the next read's buffer right after each read (a grown one, or the room after a TLS piece).
    const onread = {
      buffer: () => this.nextReadBuffer(),
      callback: (bytes: number, buffer: Buffer) => this.onRead(bytes, buffer),
    };
    const { hostname, port, protocol } = request.url;
    this.spares = protocol === 'https:' ? [] : null;
    this.buffer = Buffer.allocUnsafeSlow(protocol === 'https:' ? TLS_GATHER_BUFFER_BYTES : FIRST_READ_BUFFER_BYTES);
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    this.socket =
      protocol === 'https:'
        ? tls.connect({
            host,
            port: Number(port || 443),
            ...(net.isIP(host) === 0 ? { servername: host } : {}),
            ...(request.ca ? { secureContext: pool.secureContextFor(request.ca) } : {}),
            // A TLS socket takes net's onread too (test/hub/bulk-get.test.ts reads https this way); @types/node omits it.
            ...({ onread } as tls.ConnectionOptions),
          })
        : net.connect({ host, port: Number(port || 80), onread });
    this.socket.setNoDelay(true);
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onClose());
  }

  exchange(head: string, method: BulkRequest['method'], signal: AbortSignal): Promise<BulkResponse> {
    if (signal.aborted) {
      this.close();
      return Promise.reject(signal.reason as Error);
    }
    this.method = method;
    this.signal = signal;
    signal.addEventListener('abort', this.onAbort, { once: true });
    this.phase = 'head';
    this.headBytes = [];
    this.answered = false;
    this.socket.ref();
    this.resumeReading();
    return new Promise((resolve, reject) => {
      this.onHead = { resolve, reject };
      this.socket.write(head);
    });
  }

  private resumeReading(): void {
    this.readingStopped = false;
    this.socket.resume();
  }

  private readonly onAbort = (): void => this.fail(this.signal!.reason as Error);

  private detachSignal(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = null;
  }

  /** An idle connection, taken for a new exchange; false when it died meanwhile. */
  takeFromIdle(): boolean {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    return this.failure === null && !this.socket.destroyed;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Where the next read goes: this.buffer on a plain socket; over TLS, gatherRoom()'s, else a spare. */
  private nextReadBuffer(): Buffer {
    if (this.spares === null) return this.buffer;
    return this.gatherRoom() ?? this.spares.pop() ?? Buffer.allocUnsafeSlow(SPARE_READ_BUFFER_BYTES);
  }

  /**
   * Over TLS: room for the next read in a gather buffer, right after the
   * last byte of it the reader has not let go of (so that the read joins
   * the piece waiting there), switching to the other buffer once this one
   * is full; null when the reader holds or awaits bytes in both.
   */
  private gatherRoom(): Buffer | null {
    const end = this.usedUpTo(this.buffer);
    if (end === 0) return this.buffer;
    if (this.buffer.length - end >= TLS_RECORD_BYTES) return this.buffer.subarray(end);
    if (this.otherBuffer !== null && this.inUse(this.otherBuffer)) return null;
    const full = this.buffer;
    this.buffer = this.otherBuffer ?? Buffer.allocUnsafeSlow(TLS_GATHER_BUFFER_BYTES);
    this.otherBuffer = full;
    return this.buffer;
  }

  /** Where, in `buffer`, the bytes the reader holds or has yet to take end (0 when none lie in it). */
  private usedUpTo(buffer: Buffer): number {
    // The newest piece in `buffer` ends last: pieces are read into it in order.
    let newest: Piece | null = null;
    for (let at = this.pending.length - 1; at >= 0 && newest === null; at--)
      if (this.pending[at]!.in === buffer) newest = this.pending[at]!;
    if (newest === null && this.held?.in === buffer) newest = this.held;
    return newest === null ? 0 : newest.piece.byteOffset - buffer.byteOffset + newest.piece.length;
  }

  private inUse(buffer: Buffer): boolean {
    return this.held?.in === buffer || this.pending.some((entry) => entry.in === buffer);
  }

  /** The reader is done with the piece it held: its buffer may be read into again (a spare goes back to the spares). */
  private releaseHeld(): void {
    const done = this.held?.in;
    this.held = null;
    if (done === undefined || this.spares === null || done.length !== SPARE_READ_BUFFER_BYTES) return;
    if (!this.inUse(done) && this.spares.length < MAX_SPARE_READ_BUFFERS) this.spares.push(done);
  }

  /** The buffer a read landed in: `region` is this.buffer itself, a part of a gather buffer, or a spare. */
  private ownerOf(region: Buffer): Buffer {
    if (region.buffer === this.buffer.buffer) return this.buffer;
    if (region.buffer === this.otherBuffer?.buffer) return this.otherBuffer;
    return region;
  }

  /** Called by net for every read, into `buffer` (nextReadBuffer's); returning false pauses the socket. */
  private onRead(bytes: number, buffer: Buffer): boolean {
    this.answered = true;
    let piece: Buffer = buffer.subarray(0, bytes);
    // A full read: more was waiting. Read more at a time (the reader holds this piece; the next read goes to the new buffer).
    if (buffer === this.buffer && bytes === this.buffer.length && bytes < READ_BUFFER_BYTES) {
      this.buffer = Buffer.allocUnsafeSlow(Math.min(READ_BUFFER_BYTES, bytes * 4));
    }
    if (this.phase === 'head') {
      let body: Buffer | null;
      try {
        body = this.readHead(piece);
      } catch (error) {
        this.fail(error as Error);
        return false;
      }
      if (body === null || body.length === 0) return true;
      piece = body;
    }
    if (this.phase !== 'body') {
      // Bytes with no exchange to belong to: the connection cannot be trusted any more.
      this.fail(new TransferError('the server sent bytes after the end of its answer', { retryable: true }));
      return false;
    }
    if (this.chunked !== null) {
      try {
        piece = piece.subarray(0, this.chunked.decode(piece));
      } catch (error) {
        this.fail(error as Error);
        return false;
      }
      if (this.chunked.extraBytes > 0) this.reusable = false;
    } else if (this.remaining >= 0) {
      if (piece.length > this.remaining) {
        this.reusable = false;
        piece = piece.subarray(0, this.remaining);
      }
      this.remaining -= piece.length;
    }
    if (this.draining) {
      if (this.bodyComplete()) this.endBody();
      return true;
    }
    if (piece.length === 0) {
      // Only chunk framing in this read: the reader waits on, unless that was the end.
      this.wakeReader();
      return true;
    }
    // Handed to the reader as it lies in the buffer: no copy.
    const owner = this.ownerOf(buffer);
    const last = this.pending.at(-1);
    if (last?.in === owner && last.piece.byteOffset + last.piece.length === piece.byteOffset) {
      // Over TLS: read right after the piece waiting in this buffer, so it joins it (TLS_RECORD_BYTES).
      const start = last.piece.byteOffset - owner.byteOffset;
      last.piece = owner.subarray(start, start + last.piece.length + piece.length);
    } else this.pending.push({ piece, in: owner });
    this.wakeReader();
    // A plain socket reads no more until the reader asks for the next piece; over TLS, reads go on while a gather buffer has room.
    this.readingStopped = this.spares === null || this.gatherRoom() === null;
    return !this.readingStopped;
  }

  /** Gathers the head; once whole, answers exchange() and returns the body bytes after it (or null). */
  private readHead(piece: Buffer): Buffer | null {
    // Mostly the head is whole in the first read; copy only a head cut across reads.
    const gathered = this.headBytes.length === 0 ? piece : Buffer.concat([...this.headBytes, piece]);
    const end = gathered.indexOf('\r\n\r\n');
    if (end < 0) {
      if (gathered.length > MAX_HEAD_BYTES)
        throw new TransferError('the answer has no end of head', { retryable: true });
      this.headBytes = [Buffer.from(gathered)];
      return null;
    }
    const { status, headers } = parseHead(gathered.subarray(0, end).toString('latin1'));
    // The head did not end in an earlier read, so every byte after it is in this one.
    const afterHead = piece.subarray(piece.length - (gathered.length - end - 4));
    this.headBytes = [];
    const framing = bodyFraming(status, headers, this.method);
    if (framing === null) {
      throw new BulkUnsupportedError(`status ${status} with ${headers['transfer-encoding'] ?? 'no'} framing`);
    }
    this.chunked = framing === 'chunked' ? new ChunkedDecoder() : null;
    this.remaining = framing === 'chunked' ? -1 : framing;
    this.reusable = framing !== -1 && !/\bclose\b/i.test(String(headers.connection ?? ''));
    this.phase = 'body';
    // The response acts on this exchange only: once it ended, the connection may serve another.
    const exchange = ++this.exchanges;
    const current = (): boolean => this.exchanges === exchange && this.phase === 'body';
    const discard = (reason: Error): void => {
      if (current()) this.fail(reason);
    };
    this.onHead?.resolve({
      status,
      headers,
      body: {
        [Symbol.asyncIterator]: () => ({
          next: () => (this.exchanges === exchange ? this.next() : Promise.resolve({ done: true, value: undefined })),
          // A reader that stops early (break) drops the connection, as the rest of the body is not wanted.
          return: () => {
            discard(new TransferError('response discarded', { retryable: false }));
            return Promise.resolve({ done: true, value: undefined });
          },
        }),
      },
      drain: () => {
        if (current()) this.drain();
      },
      destroy: discard,
    });
    this.onHead = null;
    if (this.bodyComplete()) {
      // No body (HEAD, 204, Content-Length: 0): the connection is free at once, read or not.
      this.endBody();
      return null;
    }
    return afterHead;
  }

  private async next(): Promise<IteratorResult<Buffer>> {
    this.releaseHeld();
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const entry = this.pending.shift();
      if (entry !== undefined) {
        this.held = entry;
        // Over TLS, a socket paused with both gather buffers in use reads on as soon as one is free again.
        if (this.readingStopped && this.spares !== null && this.gatherRoom() !== null) this.resumeReading();
        return { done: false, value: entry.piece };
      }
      // The reader is done with the last piece: the connection is free for another exchange.
      if (this.phase === 'body' && this.bodyComplete()) this.endBody();
      if (this.phase === 'done') return { done: true, value: undefined };
      this.resumeReading();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private drain(): void {
    this.draining = true;
    this.pending.length = 0;
    this.held = null;
    if (this.phase === 'body' && this.bodyComplete()) this.endBody();
    else this.resumeReading();
  }

  private bodyComplete(): boolean {
    return this.chunked !== null ? this.chunked.done : this.remaining === 0;
  }

  private endBody(): void {
    this.phase = 'done';
    this.draining = false;
    this.detachSignal();
    if (this.reusable && this.failure === null) {
      // Read on while idle, so that a close by the server is seen at once.
      this.resumeReading();
      this.socket.unref();
      this.idleTimer = setTimeout(() => this.close(), IDLE_KEEP_MS).unref();
      this.pool.put(this);
    } else this.socket.destroy();
    this.wakeReader();
  }

  private onClose(): void {
    this.pool.drop(this);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    if (this.phase === 'body' && this.remaining < 0 && this.chunked === null && this.failure === null) {
      // A body framed by the end of the connection: this is its end.
      this.phase = 'done';
      this.wakeReader();
      return;
    }
    if (this.phase !== 'done') this.fail(new TransferError('the server closed the connection', { retryable: true }));
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.detachSignal();
    this.socket.destroy();
    this.pool.drop(this);
    if (this.onHead !== null) {
      this.onHead.reject(error);
      this.onHead = null;
    }
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
