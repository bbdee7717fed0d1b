/**
 * What a client can hold or cost the mirror, with real sockets on loopback:
 * the cap on open connections, the header, request and keep-alive timeouts,
 * a client that stops reading, HEAD of a 1 GiB blob reading nothing (the
 * `hfsched serve` process's read counter, Linux), and requests for what the
 * mirror does not hold never reaching the Hub. Each test starts its own
 * mirror with the limit it is about made short (milliseconds, not seconds).
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startMirror, type Mirror, type MirrorLimits } from '../../src/serve/mirror-server.js';
import { waitFor } from '../daemon/daemon-process.js';
import { createMirrorFixture, startServe, type MirrorFixture } from './mirror-fixture.js';

const GiB = 1024 * 1024 * 1024;
/** The recorded sha256 of the 1 GiB blob: the mirror never hashes what it serves (verify does). */
const HUGE_SHA256 = 'ab'.repeat(32);
const HUGE_COMMIT = 'd'.repeat(40);

let fx: MirrorFixture;
let hugeBlob: string;
const mirrors: Mirror[] = [];
const sockets: Socket[] = [];

before(async () => {
  fx = await createMirrorFixture([
    { id: 'org/held', revisions: { main: [{ path: 'config.json', content: '{"model_type": "held"}' }] } },
    { id: 'org/on-hub-only', revisions: { main: [{ path: 'config.json', content: '{}' }] } },
    { id: 'org/corpus', type: 'dataset', revisions: { main: [{ path: 'data.csv', content: 'a\n1\n' }] } },
  ]);
  await fx.pull(['org/held']);
  // A completed 1 GiB model as the writer records one; its blob is sparse, so it costs no disk.
  const blobs = join(fx.cacheDir, 'models--org--huge', 'blobs');
  mkdirSync(blobs, { recursive: true });
  hugeBlob = join(blobs, HUGE_SHA256);
  writeFileSync(hugeBlob, '');
  truncateSync(hugeBlob, GiB);
  const model = fx.db.store.models.create({ name: 'org/huge' });
  const session = fx.db.store.downloads.begin({ modelId: model.id, scheduleId: null });
  fx.db.store.downloads.complete(session.id, {
    downloadPath: join(fx.cacheDir, 'models--org--huge', 'snapshots', HUGE_COMMIT),
    sizeBytes: GiB,
    commit: HUGE_COMMIT,
    files: [{ path: 'model.safetensors', hashKind: 'sha256', hash: HUGE_SHA256, size: GiB }],
  });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(mirrors.splice(0).map((mirror) => mirror.close()));
});

after(() => fx.cleanup());

/** A mirror on the fixture's database and cache with `limits` instead of the defaults. */
async function mirrorWith(limits: Partial<MirrorLimits>): Promise<{ url: string; port: number }> {
  const mirror = await startMirror({
    host: '127.0.0.1',
    port: 0,
    store: fx.db.store,
    settings: () => fx.settings,
    registry: new Registry(),
    serveMetrics: false,
    onProblem: (message, error) => assert.fail(`${message}: ${String(error)}`),
    limits,
  });
  mirrors.push(mirror);
  return { url: mirror.url, port: mirror.port };
}

interface RawConnection {
  socket: Socket;
  /** Everything the server sent, once the connection is closed. */
  closed: Promise<string>;
  /** Resolves once the server's bytes contain `text`. */
  received(text: string): Promise<void>;
}

/** A socket that sends `head` (raw bytes of a request, whole or not) and collects what comes back. */
async function rawConnection(port: number, head: string, read = true): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  let text = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('latin1');
    for (const wait of waiting.filter((candidate) => text.includes(candidate.text))) wait.resolve();
  };
  if (read) socket.on('data', onData);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  await once(socket, 'connect');
  socket.write(head);
  return {
    socket,
    closed,
    received: (wanted) =>
      text.includes(wanted) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text: wanted, resolve })),
  };
}

const INFO_REQUEST = 'GET /api/models/org/held HTTP/1.1\r\nHost: mirror\r\n\r\n';

test('at most maxConnections are open: one more is closed unanswered, and room frees when a client leaves', async () => {
  const { port } = await mirrorWith({ maxConnections: 2 });
  // Two clients with an answered request each: the server has surely counted both.
  const first = await rawConnection(port, INFO_REQUEST);
  const second = await rawConnection(port, INFO_REQUEST);
  await first.received('"id":"org/held"');
  await second.received('"id":"org/held"');
  const third = await rawConnection(port, INFO_REQUEST);
  assert.equal(await third.closed, '', 'closed without an answer');
  first.socket.destroy();
  // Once the server has seen the first one go, a new client is answered.
  await waitFor(
    async () => {
      const next = await rawConnection(port, INFO_REQUEST.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
      return (await next.closed).includes('"id":"org/held"');
    },
    { timeoutMs: 10_000, what: 'a new connection answered after one left' },
  );
  assert.ok(!second.socket.destroyed, 'the other kept-alive client is still connected');
});

test(
  'a request head that never ends is answered 408 and closed after headersTimeoutMs',
  { timeout: 15_000 },
  async () => {
    const { port } = await mirrorWith({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const opened = Date.now();
    const slow = await rawConnection(port, 'GET /org/held/resolve/main/config.json HTTP/1.1\r\nHost: mirror\r\n');
    assert.match(await slow.closed, /^HTTP\/1\.1 408 /);
    // Within a few checks of the limit, not Node's default 30 s between checks.
    assert.ok(Date.now() - opened < 5_000, `closed after ${Date.now() - opened} ms`);
  },
);

test(
  'a paths-info body that never ends is answered 408 and closed after requestTimeoutMs',
  { timeout: 15_000 },
  async () => {
    const { port } = await mirrorWith({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const opened = Date.now();
    const slow = await rawConnection(
      port,
      'POST /api/models/org/held/paths-info/main HTTP/1.1\r\nHost: mirror\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"paths": [',
    );
    assert.match(await slow.closed, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - opened < 5_000, `closed after ${Date.now() - opened} ms`);
  },
);

test(
  'a kept-alive connection with no next request is closed after keepAliveTimeoutMs',
  { timeout: 15_000 },
  async () => {
    const { port } = await mirrorWith({ keepAliveTimeoutMs: 300 });
    const client = await rawConnection(port, INFO_REQUEST);
    await client.received('"id":"org/held"');
    const answered = Date.now();
    await client.closed;
    // Node's default keep-alive timeout is 5 s.
    assert.ok(Date.now() - answered < 3_000, `closed after ${Date.now() - answered} ms`);
  },
);

/** How many of this process's open files are `path` (Linux). */
function openCount(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

test(
  'a client that stops reading a 1 GiB answer is closed after idleTimeoutMs, and the blob is closed with it',
  { skip: !existsSync('/proc/self/fd'), timeout: 20_000 },
  async () => {
    // 2 s of silence, not less: under load, a shorter limit can close the blob between two polls
    // of the check below, which then never sees it open.
    const { port } = await mirrorWith({ idleTimeoutMs: 2_000 });
    const stalled = await rawConnection(
      port,
      'GET /org/huge/resolve/main/model.safetensors HTTP/1.1\r\nHost: mirror\r\n\r\n',
      false,
    );
    await waitFor(() => openCount(hugeBlob) === 1, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the mirror sending the blob',
    });
    // The client reads nothing: the socket's buffers fill, nothing moves, the mirror gives up.
    await waitFor(() => openCount(hugeBlob) === 0, { timeoutMs: 10_000, what: 'the mirror letting go of the blob' });
    let received = 0;
    stalled.socket.on('data', (chunk: Buffer) => (received += chunk.length));
    await stalled.closed;
    assert.ok(received > 0 && received < GiB, `${received} bytes, then the end`);
  },
);

/** Bytes the process has read with read(2) and its kin, files and sockets alike (proc(5): rchar). */
function bytesRead(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

test(
  'HEAD of a 1 GiB blob reads nothing of it (the hfsched serve process reads under 1 MiB for ten)',
  { skip: !existsSync('/proc/self/io'), timeout: 30_000 },
  async () => {
    const serve = await startServe(fx.db);
    try {
      const pid = serve.child.pid!;
      const url = `${serve.url}/org/huge/resolve/main/model.safetensors`;
      const warm = await fetch(url, { method: 'HEAD' });
      assert.equal(warm.status, 200);
      const before = bytesRead(pid);
      for (let i = 0; i < 10; i++) {
        const head = await fetch(url, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(GiB));
      }
      const afterHeads = bytesRead(pid);
      assert.ok(afterHeads - before < 1024 * 1024, `${afterHeads - before} bytes read for ten HEADs`);
      // The counter does see the blob's reads: 8 MiB of it by GET.
      const part = await fetch(url, { headers: { range: `bytes=0-${8 * 1024 * 1024 - 1}` } });
      assert.equal((await part.arrayBuffer()).byteLength, 8 * 1024 * 1024);
      assert.ok(bytesRead(pid) - afterHeads >= 8 * 1024 * 1024, 'a GET reads the bytes it sends');
    } finally {
      serve.child.kill('SIGTERM');
      await once(serve.child, 'exit');
    }
  },
);

test('requests for what the mirror does not hold are answered without a single request to the Hub', async () => {
  const { url } = await mirrorWith({});
  fx.hub.clearLog();
  const misses: [method: string, path: string, code: string][] = [
    ['GET', '/nobody/nothing/resolve/main/config.json', 'RepoNotFound'],
    ['HEAD', '/nobody/nothing/resolve/main/config.json', 'RepoNotFound'],
    ['GET', '/org/on-hub-only/resolve/main/config.json', 'RepoNotFound'],
    ['HEAD', '/org/on-hub-only/resolve/main/config.json', 'RepoNotFound'],
    ['GET', '/api/models/org/on-hub-only', 'RepoNotFound'],
    ['GET', '/api/models/org/on-hub-only/revision/main', 'RepoNotFound'],
    ['GET', '/api/models/org/on-hub-only/tree/main?recursive=true', 'RepoNotFound'],
    ['POST', '/api/models/org/on-hub-only/paths-info/main', 'RepoNotFound'],
    ['GET', '/api/models/org/on-hub-only/refs', 'RepoNotFound'],
    ['GET', '/datasets/org/corpus/resolve/main/data.csv', 'RepoNotFound'],
    ['GET', '/api/datasets/org/corpus', 'RepoNotFound'],
    ['GET', '/org/held/resolve/main/not-downloaded.bin', 'EntryNotFound'],
    ['HEAD', '/org/held/resolve/main/not-downloaded.bin', 'EntryNotFound'],
    ['GET', '/org/held/resolve/v2.0/config.json', 'RevisionNotFound'],
    ['GET', '/api/models/org/held/tree/main/no-such-folder', 'EntryNotFound'],
    ['GET', '/api/whoami-v2', 'EndpointNotFound'],
    ['GET', '/api/models?search=held', 'EndpointNotFound'],
  ];
  for (const [method, path, code] of misses) {
    const answer = await fetch(`${url}${path}`, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{"paths": ["a"]}' } : {}),
    });
    assert.equal(answer.status, 404, `${method} ${path}`);
    assert.equal(answer.headers.get('x-error-code'), code, `${method} ${path}`);
  }
  assert.deepEqual(
    fx.hub.requests.map((request) => request.path),
    [],
  );
});
