/**
 * HubHttpClient reuses the AbortController of an exchange that ended
 * cleanly (http-client.ts): what the earlier response still holds (its
 * discard(), its stall watchdog) must never end the request that now uses
 * that controller.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubHttpClient } from '../../src/hub/protocol/http-client.js';

const SMALL = Buffer.alloc(1000, 7);
const SLOW_HEAD = Buffer.alloc(500, 1);
const SLOW_TAIL = Buffer.alloc(700, 2);
let server: http.Server;
let origin: string;
/** Called by the test to let /slow send the rest of its body. */
let finishSlow: () => void = () => {};

before(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/small') {
      response.writeHead(200, { 'Content-Length': SMALL.length });
      response.end(SMALL);
      return;
    }
    response.writeHead(200, { 'Content-Length': SLOW_HEAD.length + SLOW_TAIL.length });
    response.write(SLOW_HEAD);
    finishSlow = () => response.end(SLOW_TAIL);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("a finished response's late discard() does not end the next request on the same client", async () => {
  const client = new HubHttpClient();
  const request = (path: string) =>
    client.send({ url: `${origin}${path}`, token: null, tokenOrigin: origin, stallTimeoutMs: 30_000 });
  try {
    const first = await request('/small');
    const firstBytes: Buffer[] = [];
    for await (const piece of first.body) firstBytes.push(Buffer.from(piece));
    assert.deepEqual(Buffer.concat(firstBytes), SMALL);

    // The next request takes the first one's controller, which is now its own.
    const second = await request('/slow');
    const pieces = second.body[Symbol.asyncIterator]();
    const head = await pieces.next();
    assert.equal(head.done, false);
    first.discard();
    first.watchdog.stop();
    finishSlow();
    const rest: Buffer[] = [Buffer.from(head.value as Buffer)];
    for (let next = await pieces.next(); next.done !== true; next = await pieces.next())
      rest.push(Buffer.from(next.value));
    assert.deepEqual(Buffer.concat(rest), Buffer.concat([SLOW_HEAD, SLOW_TAIL]));
  } finally {
    client.close();
  }
});
