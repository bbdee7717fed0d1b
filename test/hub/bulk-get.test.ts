/**
 * bulk-get.ts against real servers on loopback: plain http and https (a CA
 * made with openssl), kept-alive connections, what it refuses, and the ends
 * an exchange can meet (abort, a server that closes mid-body or while idle).
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { BulkConnectionPool, BulkUnsupportedError, bulkGet } from '../../src/hub/protocol/bulk-get.js';
import { TransferError } from '../../src/hub/errors.js';
import { HubHttpClient } from '../../src/hub/protocol/http-client.js';
import { createTestCa, type TestCa } from '../support/test-ca.js';

const BODY = randomBytes(5 * 1024 * 1024 + 123);
const BODY_SHA256 = createHash('sha256').update(BODY).digest('hex');

/** What the test server saw: each request, and on which connection it came. */
interface Seen {
  path: string;
  connection: number;
}

function handler(seen: Seen[], connections: Map<Socket, number>) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const socket = request.socket;
    if (!connections.has(socket)) connections.set(socket, connections.size + 1);
    seen.push({ path: request.url ?? '', connection: connections.get(socket)! });
    if (request.url === '/file' || request.url === '/file-then-close') {
      response.writeHead(200, { 'Content-Length': BODY.length });
      response.end(BODY);
      // Keep-alive promised, then the connection dropped while idle (as a server's idle timeout does).
      if (request.url === '/file-then-close') response.on('finish', () => setTimeout(() => socket.destroy(), 20));
    } else if (request.url === '/chunked') {
      // No Content-Length: node sends Transfer-Encoding: chunked.
      response.writeHead(200);
      response.write(BODY.subarray(0, 1000));
      response.end(BODY.subarray(1000, 5000));
    } else if (request.url === '/chunked-large') {
      // The whole body in chunks of 100 KiB (no Content-Length), each cut across TLS records.
      response.writeHead(200);
      for (let at = 0; at < BODY.length; at += 100 * 1024) response.write(BODY.subarray(at, at + 100 * 1024));
      response.end();
    } else if (request.url === '/other-coding') {
      // A transfer coding bulk-get.ts does not decode (node still frames it in chunks).
      response.writeHead(200, { 'Transfer-Encoding': 'x-custom, chunked' });
      response.end(BODY.subarray(0, 3000));
    } else if (request.url === '/cut') {
      response.writeHead(200, { 'Content-Length': BODY.length });
      response.write(BODY.subarray(0, 1024 * 1024), () => socket.destroy());
    } else if (request.url === '/slow') {
      response.writeHead(200, { 'Content-Length': BODY.length });
      response.write(BODY.subarray(0, 4096));
    } else {
      response.writeHead(404, { 'Content-Length': 0 });
      response.end();
    }
  };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Reads a whole body, checking that pieces are larger than node's 64 KiB reads at least once. */
async function readAll(body: AsyncIterable<Buffer>): Promise<{ sha256: string; bytes: number; largest: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let largest = 0;
  for await (const piece of body) {
    hash.update(piece);
    bytes += piece.length;
    largest = Math.max(largest, piece.length);
  }
  return { sha256: hash.digest('hex'), bytes, largest };
}

/** Each test's own kept-alive connections, as each HubRuntime has its own. */
let pool: BulkConnectionPool;
beforeEach(() => {
  pool = new BulkConnectionPool();
});
afterEach(() => pool.close());

/** A bulk GET (or HEAD) of `url` on the test's pool, with no extra header, trusting `ca`, ended only by `signal`. */
function fetchBulk(
  url: string,
  options: { method?: 'GET' | 'HEAD'; ca?: string[]; signal?: AbortSignal; headers?: Record<string, string> } = {},
) {
  return bulkGet(pool, {
    url: new URL(url),
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ca: options.ca,
    signal: options.signal ?? new AbortController().signal,
  });
}

describe('bulk GET over plain http', () => {
  const seen: Seen[] = [];
  const connections = new Map<Socket, number>();
  const server = http.createServer({ keepAliveTimeout: 10_000 }, handler(seen, connections));
  let origin = '';
  before(async () => {
    origin = `http://${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('reads the body whole and right, and the next request reuses the connection', async () => {
    seen.length = 0;
    for (let i = 0; i < 2; i++) {
      const response = await fetchBulk(`${origin}/file`);
      assert.equal(response.status, 200);
      const read = await readAll(response.body);
      assert.equal(read.bytes, BODY.length);
      assert.equal(read.sha256, BODY_SHA256);
      assert.ok(read.largest > 64 * 1024, `a read brought more than node's usual 64 KiB (largest: ${read.largest})`);
    }
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.connection, seen[1]!.connection, 'the second request came on the first connection');
  });

  test('reads a chunked answer, then a HEAD, on the same connection', async () => {
    seen.length = 0;
    const chunked = await fetchBulk(`${origin}/chunked`);
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
    const pieces: Buffer[] = [];
    for await (const piece of chunked.body) pieces.push(Buffer.from(piece));
    assert.deepEqual(Buffer.concat(pieces), BODY.subarray(0, 5000));
    const head = await fetchBulk(`${origin}/file`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(BODY.length));
    assert.equal((await readAll(head.body)).bytes, 0);
    assert.deepEqual(
      seen.map((s) => s.connection),
      [seen[0]!.connection, seen[0]!.connection],
    );
  });

  test('refuses a transfer coding it does not decode, and the Hub client then fetches it through undici', async () => {
    await assert.rejects(fetchBulk(`${origin}/other-coding`), BulkUnsupportedError);
    const client = new HubHttpClient();
    const response = await client.send({
      url: `${origin}/other-coding`,
      token: null,
      tokenOrigin: 'http://elsewhere.invalid',
      stallTimeoutMs: 5000,
    });
    const chunks: Buffer[] = [];
    for await (const piece of response.body) chunks.push(Buffer.from(piece));
    response.watchdog.stop();
    client.close();
    assert.deepEqual(Buffer.concat(chunks), BODY.subarray(0, 3000));
  });

  test('a server that closes mid-body fails the read with a retryable TransferError', async () => {
    const response = await fetchBulk(`${origin}/cut`);
    await assert.rejects(readAll(response.body), (error: unknown) => {
      assert.ok(error instanceof TransferError && error.retryable, String(error));
      return true;
    });
  });

  test('an abort ends a read that waits for bytes, with the reason given', async () => {
    const controller = new AbortController();
    const response = await fetchBulk(`${origin}/slow`, { signal: controller.signal });
    const reading = readAll(response.body);
    setTimeout(() => controller.abort(new Error('paused by the test')), 50);
    await assert.rejects(reading, /paused by the test/);
  });

  test('a header value with a line break is refused before anything is sent', async () => {
    seen.length = 0;
    await assert.rejects(
      fetchBulk(`${origin}/file`, { headers: { Authorization: 'Bearer x\r\nX-Evil: 1' } }),
      /line break/,
    );
    assert.equal(seen.length, 0);
  });
});

describe('bulk GET when the server closes idle connections', () => {
  const seen: Seen[] = [];
  const connections = new Map<Socket, number>();
  const server = http.createServer(handler(seen, connections));
  let origin = '';
  before(async () => {
    origin = `http://${await listen(server)}`;
  });
  after(() => server.close());

  test('the next request goes out on a new connection and succeeds', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetchBulk(`${origin}/file-then-close`);
      assert.equal((await readAll(response.body)).sha256, BODY_SHA256);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(
      seen.map((s) => s.connection),
      [1, 2],
    );
  });
});

describe('bulk GET over https', () => {
  let ca: TestCa;
  let server: https.Server;
  let origin = '';
  before(async () => {
    ca = createTestCa();
    server = https.createServer({ ...ca.tls }, handler([], new Map()));
    origin = `https://${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    ca.cleanup();
  });

  test('reads the body through TLS with the given CA, and refuses a server it cannot trust without it', async () => {
    const trusted = [readFileSync(ca.caPath, 'utf8')];
    const response = await fetchBulk(`${origin}/file`, { ca: trusted });
    const read = await readAll(response.body);
    assert.equal(read.sha256, BODY_SHA256);
    await assert.rejects(fetchBulk(`${origin}/file`), /certificate/i);
  });

  test('a reader that waits between pieces (a bandwidth limit, a slow disk) still gets every byte, in order', async () => {
    // A paused TLS socket hands out the records it already decrypted: they must not be written over the piece read before.
    const response = await fetchBulk(`${origin}/file`, { ca: [readFileSync(ca.caPath, 'utf8')] });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const piece of response.body) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      hash.update(piece);
      bytes += piece.length;
    }
    assert.equal(bytes, BODY.length);
    assert.equal(hash.digest('hex'), BODY_SHA256);
  });

  test('TLS records read while the reader is busy reach it gathered in one piece, every byte in order', async () => {
    const trusted = [readFileSync(ca.caPath, 'utf8')];
    for (const path of ['/file', '/chunked-large']) {
      const response = await fetchBulk(`${origin}${path}`, { ca: trusted });
      const hash = createHash('sha256');
      let bytes = 0;
      let pieces = 0;
      let largest = 0;
      for await (const piece of response.body) {
        hash.update(piece);
        bytes += piece.length;
        pieces += 1;
        largest = Math.max(largest, piece.length);
        // Busy for a while (hashing, writing): the records that arrive meanwhile are gathered.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(bytes, BODY.length, path);
      assert.equal(hash.digest('hex'), BODY_SHA256, path);
      // One TLS record brings 16 KiB at most: 5 MiB would be at least 320 pieces without gathering.
      assert.ok(largest > 16 * 1024, `${path}: the largest piece is ${largest} bytes`);
      assert.ok(pieces < 200, `${path}: ${pieces} pieces`);
    }
  });

  test("Node's roots plus hub.ca_bundle (as hub-network.ts lists them) trust the bundle's CA; the roots alone do not", async () => {
    const withBundle = [...rootCertificates, readFileSync(ca.caPath, 'utf8')];
    const read = await readAll((await fetchBulk(`${origin}/file`, { ca: withBundle })).body);
    assert.equal(read.sha256, BODY_SHA256);
    await assert.rejects(fetchBulk(`${origin}/file`, { ca: [...rootCertificates] }), /certificate/i);
  });
});
