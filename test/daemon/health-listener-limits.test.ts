/**
 * The health and metrics listener against clients that never finish: real
 * sockets on loopback, each sending half a request and then nothing.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HEALTH_LISTENER_LIMITS, startHealthServer, type HealthServer } from '../../src/daemon/health-server.js';

let server: HealthServer | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = null;
});

async function start(): Promise<{ host: string; port: number }> {
  server = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    health: () => ({ healthy: true, checks: { loop: 'ok' } }),
    metrics: { contentType: 'text/plain', text: () => Promise.resolve('up 1\n') },
    onError: (error) => assert.fail(String(error)),
  });
  const url = new URL(server.url);
  return { host: url.hostname, port: Number(url.port) };
}

/** Opens a socket, sends the start of a request and never the rest; resolves with when it was closed. */
function halfSentRequest(address: {
  host: string;
  port: number;
}): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, address.host);
    sockets.push(socket);
    socket.on('error', () => undefined);
    // Read what the server sends (its 408), or the socket never sees the end.
    socket.resume();
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now())));
    socket.once('connect', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

describe('the health listener under half-sent requests', () => {
  test('a request whose headers never end is closed within seconds, not held for a minute', async () => {
    const address = await start();
    const opened = Date.now();
    const { closed } = await halfSentRequest(address);
    const closedAt = await closed;
    const limit = HEALTH_LISTENER_LIMITS.headersTimeoutMs + 2 * HEALTH_LISTENER_LIMITS.checkIntervalMs + 2_000;
    assert.ok(closedAt - opened <= limit, `held for ${closedAt - opened} ms`);
  });

  test(`many half-sent requests hold at most ${HEALTH_LISTENER_LIMITS.maxConnections} connections, and a probe gets through once they time out`, async () => {
    const address = await start();
    const count = HEALTH_LISTENER_LIMITS.maxConnections * 3;
    const attempts = await Promise.all(Array.from({ length: count }, () => halfSentRequest(address)));
    // The ones past the cap are closed at once; the rest when their headers time out.
    const started = Date.now();
    const closedTimes = await Promise.all(attempts.map((attempt) => attempt.closed));
    const closedAtOnce = closedTimes.filter((time) => time - started < HEALTH_LISTENER_LIMITS.headersTimeoutMs).length;
    assert.ok(
      closedAtOnce >= count - HEALTH_LISTENER_LIMITS.maxConnections,
      `${closedAtOnce} closed before the headers timeout`,
    );
    const response = await fetch(`http://${address.host}:${address.port}/healthz`);
    assert.equal(response.status, 200);
  });
});
