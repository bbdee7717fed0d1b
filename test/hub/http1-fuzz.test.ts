/**
 * A seeded fuzz of the lean HTTP/1.1 client's parsers (http1-message.ts,
 * chunked-body.ts, bulk-get.ts): what a hostile or broken server may send.
 * Random and mutated response heads, random chunk sizes, extensions and
 * trailers, every split point of a body across reads, and whole answers cut
 * into random segments on a real loopback socket. Nothing may hang, throw
 * anything but the client's own typed errors, or hand over a byte beyond
 * the framing. The seed is fixed (HFSCHED_FUZZ_SEED overrides it) and the
 * counts bounded, so a run takes a few seconds and a failure replays.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { BulkConnectionPool, BulkUnsupportedError, bulkGet } from '../../src/hub/protocol/bulk-get.js';
import { ChunkedDecoder } from '../../src/hub/protocol/chunked-body.js';
import { bodyFraming, parseHead } from '../../src/hub/protocol/http1-message.js';
import { TransferError } from '../../src/hub/errors.js';

const SEED = Number(process.env.HFSCHED_FUZZ_SEED ?? 20261204);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function generator(seed: number): {
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
} {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  return {
    int,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}
type Random = ReturnType<typeof generator>;

/** A valid chunked encoding of `data`, with random chunk sizes, hex case, extensions and trailers. */
function encodeChunked(random: Random, data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const size = Math.min(data.length - at, 1 + random.int(random.pick([4, 40, 400])));
    let hex = size.toString(16);
    if (random.int(2) === 0) hex = hex.toUpperCase();
    if (random.int(4) === 0) hex = `00${hex}`;
    const extension = random.pick(['', ';a=b', ';name="quoted;value"', ' ;x', `;${'e'.repeat(random.int(100))}`]);
    parts.push(Buffer.from(`${hex}${extension}\r\n`), data.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  const trailers = random.pick(['', 'X-Checksum: abc\r\n', 'A: 1\r\nB: 2\r\n']);
  parts.push(Buffer.from(`0\r\n${trailers}\r\n`));
  return Buffer.concat(parts);
}

/** Mutates a copy of `wire`: flips, inserts, deletes, duplicates or cuts bytes. */
function mutate(random: Random, wire: Buffer): Buffer {
  let out = Buffer.from(wire);
  const edits = 1 + random.int(4);
  for (let i = 0; i < edits; i++) {
    const at = random.int(out.length + 1);
    switch (random.int(6)) {
      case 0:
        if (at < out.length) out[at] = random.int(256);
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), random.bytes(1 + random.int(8)), out.subarray(at)]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + random.int(8))]);
        break;
      case 3:
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(random.pick(['\r', '\n', '\r\n', ';', ':', '0', 'f', ' '])),
          out.subarray(at),
        ]);
        break;
      case 4:
        out = out.subarray(0, at);
        break;
      default:
        out = Buffer.concat([out, out.subarray(at)]);
    }
  }
  return out;
}

interface Decoded {
  data: Buffer;
  done: boolean;
  /** Bytes after the end of the body, summed over the reads. */
  extra: number;
  error: Error | null;
}

/** Decodes `wire` cut into reads at `cuts`, as bulk-get.ts does: in place, a read at a time. */
function decodeInReads(wire: Buffer, cuts: number[]): Decoded {
  const decoder = new ChunkedDecoder();
  const parts: Buffer[] = [];
  const bounds = [0, ...cuts, wire.length];
  let extra = 0;
  try {
    for (let i = 0; i + 1 < bounds.length; i++) {
      const read = Buffer.from(wire.subarray(bounds[i], bounds[i + 1]));
      const wasDone = decoder.done;
      parts.push(Buffer.from(read.subarray(0, decoder.decode(read))));
      extra += wasDone ? read.length : decoder.extraBytes;
    }
  } catch (error) {
    return { data: Buffer.concat(parts), done: decoder.done, extra, error: error as Error };
  }
  return { data: Buffer.concat(parts), done: decoder.done, extra, error: null };
}

function assertTyped(error: unknown, what: string): void {
  assert.ok(
    error instanceof TransferError || error instanceof BulkUnsupportedError,
    `${what}: an untyped error (seed ${SEED}): ${error instanceof Error ? error.stack : String(error)}`,
  );
}

describe(`HTTP/1.1 parsers under fuzz (seed ${SEED})`, () => {
  test('a valid chunked body split at every byte, and at random several places, gives exactly its data and nothing after', () => {
    const random = generator(SEED);
    for (let round = 0; round < 150; round++) {
      const data = random.bytes(random.int(300));
      const trailing = random.bytes(random.int(3) === 0 ? 1 + random.int(20) : 0);
      const body = encodeChunked(random, data);
      const wire = Buffer.concat([body, trailing]);
      for (let cut = 0; cut <= wire.length; cut++) {
        const decoded = decodeInReads(wire, [cut]);
        assert.equal(decoded.error, null, `round ${round}, cut ${cut}: ${String(decoded.error)}`);
        assert.ok(decoded.done, `round ${round}, cut ${cut}: the body ended`);
        assert.deepEqual(decoded.data, data, `round ${round}, cut ${cut}: the data, and nothing after it`);
        assert.equal(
          decoded.extra,
          trailing.length,
          `round ${round}, cut ${cut}: what followed the body counted as extra`,
        );
      }
      for (let i = 0; i < 20; i++) {
        const cuts = Array.from({ length: 1 + random.int(8) }, () => random.int(wire.length + 1)).sort((a, b) => a - b);
        const decoded = decodeInReads(wire, cuts);
        assert.deepEqual(decoded.data, data, `round ${round}, cuts ${cuts.join(',')}`);
        assert.equal(decoded.extra, trailing.length);
      }
    }
  });

  test('a mutated chunked body decodes the same whatever the reads, fails only with a TransferError, and never yields more than it was sent', () => {
    const random = generator(SEED + 1);
    for (let round = 0; round < 1500; round++) {
      const wire = mutate(random, encodeChunked(random, random.bytes(random.int(200))));
      const whole = decodeInReads(wire, []);
      if (whole.error !== null) assertTyped(whole.error, `round ${round}`);
      assert.ok(whole.data.length <= wire.length);
      const cuts = [random.int(wire.length + 1)];
      if (random.int(2) === 0) cuts.push(random.int(wire.length + 1));
      const split = decodeInReads(
        wire,
        cuts.sort((a, b) => a - b),
      );
      if (split.error !== null) assertTyped(split.error, `round ${round}`);
      // Data handed over before an error is fine (it is a prefix); the outcome must not depend on the reads.
      assert.equal(
        split.error === null,
        whole.error === null,
        `round ${round}: cuts ${cuts.join(',')} change the verdict`,
      );
      if (whole.error === null) {
        assert.deepEqual(split.data, whole.data, `round ${round}: cuts ${cuts.join(',')} change the data`);
        assert.equal(split.done, whole.done);
        assert.equal(split.extra, whole.extra);
      }
    }
  });

  test('random and mutated response heads parse to their own fields or fail with a TransferError', () => {
    const random = generator(SEED + 2);
    // Names an object's prototype has: a head must not turn them into anything but the server's text.
    const names = [
      'Content-Length',
      'Transfer-Encoding',
      'Connection',
      'ETag',
      'X-Repo-Commit',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
    ];
    for (let round = 0; round < 3000; round++) {
      const fields: Array<[string, string]> = [];
      for (let i = random.int(6); i > 0; i--)
        fields.push([
          random.pick(names),
          random.pick(['1', '42', 'chunked', 'close', 'x y', `${random.int(1e6)}`, '']),
        ]);
      const status = random.pick([100, 101, 200, 204, 206, 302, 304, 404, 416, 429, 503, 999]);
      let head = `HTTP/1.1 ${status} Reason\r\n${fields.map(([name, value]) => `${name}: ${value}`).join('\r\n')}`;
      const mutated = random.int(2) === 0;
      if (mutated) head = mutate(random, Buffer.from(head, 'latin1')).toString('latin1');
      let parsed;
      try {
        parsed = parseHead(head);
      } catch (error) {
        assertTyped(error, `round ${round}`);
        continue;
      }
      assert.ok(Number.isInteger(parsed.status) && parsed.status >= 0 && parsed.status <= 999);
      for (const value of Object.values(parsed.headers)) {
        assert.ok(typeof value === 'string' || Array.isArray(value), `round ${round}: a header's value is text`);
      }
      if (!mutated) {
        // Each field as sent, repeated ones joined with ", "; nothing else.
        const expected = new Map<string, string>();
        for (const [name, value] of fields) {
          const key = name.toLowerCase();
          expected.set(key, expected.has(key) ? `${expected.get(key)}, ${value}` : value);
        }
        assert.deepEqual(new Map(Object.entries(parsed.headers)), expected, `round ${round}: ${JSON.stringify(head)}`);
      }
      for (const method of ['GET', 'HEAD']) {
        const framing = bodyFraming(parsed.status, parsed.headers, method);
        assert.ok(
          framing === null || framing === 'chunked' || (Number.isSafeInteger(framing) && framing >= -1),
          `round ${round}: framing ${String(framing)}`,
        );
      }
    }
  });

  describe('whole answers over a real socket, cut into random segments', () => {
    /** The next answer the server sends, as segments; it closes the connection after the last one. */
    let segments: Buffer[] = [];
    let server: net.Server;
    let url: URL;
    before(async () => {
      server = net.createServer((socket) => {
        socket.setNoDelay(true);
        socket.once('data', () => {
          const queue = [...segments];
          const send = (): void => {
            const next = queue.shift();
            if (next === undefined) socket.end();
            else socket.write(next, () => setImmediate(send));
          };
          send();
        });
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file`);
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function answer(random: Random, body: Buffer): { wire: Buffer; expected: Buffer | null } {
      switch (random.int(4)) {
        case 0:
          return {
            wire: Buffer.concat([
              Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
              body,
              random.bytes(random.int(30)),
            ]),
            expected: body,
          };
        case 1:
          return {
            wire: Buffer.concat([
              Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
              encodeChunked(random, body),
              random.bytes(random.int(30)),
            ]),
            expected: body,
          };
        case 2:
          return {
            wire: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), body]),
            expected: body,
          };
        default:
          return {
            wire: Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
            expected: body,
          };
      }
    }

    test('valid answers give exactly their body; mutated ones their framing at most, or a typed error; none hangs', async () => {
      const random = generator(SEED + 3);
      for (let round = 0; round < 120; round++) {
        const body = random.bytes(random.int(2000));
        const valid = answer(random, body);
        const mutated = random.int(2) === 0;
        const wire = mutated ? mutate(random, valid.wire) : valid.wire;
        const cuts = Array.from({ length: random.int(6) }, () => random.int(wire.length + 1)).sort((a, b) => a - b);
        const bounds = [0, ...cuts, wire.length];
        segments = bounds
          .slice(1)
          .map((end, i) => wire.subarray(bounds[i], end))
          .filter((piece) => piece.length > 0);
        // The server closes after its last byte: every exchange ends, so a wait past this deadline is a hang.
        const signal = AbortSignal.timeout(5000);
        const received: Buffer[] = [];
        let failure: unknown = null;
        try {
          // A pool per round gives each round its own connection, so excess bytes that a round's server sends
          // late cannot become the next round's answer.
          const pool = new BulkConnectionPool();
          const headers = { 'X-Round': String(round) };
          const response = await bulkGet(pool, { url, method: 'GET', headers, ca: undefined, signal });
          for await (const piece of response.body) received.push(Buffer.from(piece));
        } catch (error) {
          failure = error;
        }
        assert.notEqual(signal.aborted, true, `round ${round}: the exchange hung (seed ${SEED})`);
        if (failure !== null) assertTyped(failure, `round ${round}`);
        const got = Buffer.concat(received);
        if (!mutated) {
          assert.equal(failure, null, `round ${round}: ${String(failure)}`);
          assert.deepEqual(got, valid.expected, `round ${round}: exactly the body`);
        } else {
          // Whatever the mutation did, nothing past the bytes the server sent after the head.
          const headEnd = wire.indexOf('\r\n\r\n');
          assert.ok(headEnd < 0 ? got.length === 0 : got.length <= wire.length - headEnd - 4, `round ${round}`);
          const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(wire.subarray(0, headEnd + 2).toString('latin1'));
          if (length !== null && !/transfer-encoding/i.test(wire.subarray(0, headEnd).toString('latin1')))
            assert.ok(
              got.length <= Number(length[1]),
              `round ${round}: ${got.length} bytes past a Content-Length of ${length[1]}`,
            );
        }
      }
    });
  });
});
