import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChunkedDecoder } from '../../src/hub/protocol/chunked-body.js';

const DATA = randomBytes(700);

/** DATA as a server may send it chunked: sizes in either case, an extension, a trailer field. */
function encoded(): Buffer {
  return Buffer.concat([
    Buffer.from('1F4;name=value\r\n'),
    DATA.subarray(0, 500),
    Buffer.from('\r\nc8\r\n'),
    DATA.subarray(500),
    Buffer.from('\r\n0\r\nX-Checksum: abc\r\n\r\n'),
  ]);
}

/** Decodes `wire` cut into reads at the given offsets, as bulk-get.ts does (in place). */
function decodeInReads(wire: Buffer, cuts: number[]): { data: Buffer; decoder: ChunkedDecoder } {
  const decoder = new ChunkedDecoder();
  const parts: Buffer[] = [];
  const bounds = [0, ...cuts, wire.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const read = Buffer.from(wire.subarray(bounds[i], bounds[i + 1]));
    parts.push(Buffer.from(read.subarray(0, decoder.decode(read))));
  }
  return { data: Buffer.concat(parts), decoder };
}

test('a chunked body decodes to its data wherever the reads cut it', () => {
  const wire = encoded();
  for (let cut = 1; cut < wire.length; cut++) {
    const { data, decoder } = decodeInReads(wire, [cut]);
    assert.deepEqual(data, DATA, `cut at ${cut}`);
    assert.ok(decoder.done, `done, cut at ${cut}`);
    assert.equal(decoder.extraBytes, 0);
  }
  const { data } = decodeInReads(
    wire,
    Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
  );
  assert.deepEqual(data, DATA, 'one byte per read');
});

test('bytes after the end of the body are counted, not returned', () => {
  const decoder = new ChunkedDecoder();
  const read = Buffer.concat([encoded(), Buffer.from('HTTP/1.1 200 OK\r\n')]);
  assert.equal(decoder.decode(read), DATA.length);
  assert.ok(decoder.done);
  assert.equal(decoder.extraBytes, 17);
});

test('a malformed chunk size is a retryable TransferError', () => {
  assert.throws(() => new ChunkedDecoder().decode(Buffer.from('zz\r\nhello\r\n')), {
    name: 'TransferError',
    message: /malformed chunked body: a chunk size of "zz"/,
    retryable: true,
  });
  assert.throws(() => new ChunkedDecoder().decode(Buffer.from('5\r\nhelloXX')), /no line end after a chunk/);
});
