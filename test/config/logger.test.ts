import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/config/logger.js';

/** A destination that keeps every line written to it. */
function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  test('logs one JSON object per line with level, message and name', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ level: 'info', pretty: false, destination: stream });
    logger.info({ model: 'org/name' }, 'download started');
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(entry.msg, 'download started');
    assert.equal(entry.model, 'org/name');
    assert.equal(entry.level, 30);
    assert.equal(entry.name, 'hfsched');
  });

  test('drops messages below the configured level', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ level: 'warn', pretty: false, destination: stream });
    logger.info('not shown');
    logger.warn('shown');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ['shown'],
    );
  });

  test('never writes a token or an authorization header', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ level: 'info', pretty: false, destination: stream });
    logger.info({ token: 'hf_secret1', request: { headers: { authorization: 'Bearer hf_secret2' } } }, 'request');
    logger.info({ options: { token: 'hf_secret3' }, headers: { authorization: 'Bearer hf_secret4' } }, 'options');
    const text = lines.join('\n');
    assert.doesNotMatch(text, /hf_secret/);
    assert.match(text, /\[redacted\]/);
  });

  test('pretty logs are human-readable lines, not JSON', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ level: 'info', pretty: true, destination: stream });
    logger.info({ model: 'org/name' }, 'download started');
    const text = lines.join('\n');
    assert.match(text, /INFO/);
    assert.match(text, /download started/);
    assert.throws(() => JSON.parse(lines[0] ?? ''));
  });
});
