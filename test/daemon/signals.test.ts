/**
 * The signal handling of `hfsched daemon` on its own, in a real child
 * process: its stop never finishes here, so what a second signal does can be
 * observed without racing a real shutdown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { waitFor } from './daemon-process.js';

const SIGNALS_MODULE = new URL('../../src/daemon/signals.js', import.meta.url).href;
const LOGGER_MODULE = new URL('../../src/config/logger.js', import.meta.url).href;

/** A process whose "daemon" takes forever to stop, logging JSON lines like the daemon. */
const STUCK_DAEMON = `
  const { stopOnSignals } = await import(${JSON.stringify(SIGNALS_MODULE)});
  const { createLogger } = await import(${JSON.stringify(LOGGER_MODULE)});
  const logger = createLogger({ level: 'info', pretty: false });
  stopOnSignals({ stop: () => new Promise(() => {}) }, logger);
  setInterval(() => {}, 1000);
  logger.info('ready');
`;

describe('daemon: signals', () => {
  test('a second signal during a slow stop exits at once with status 1', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', STUCK_DAEMON], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n')));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    const waitForLine = (text: string): Promise<void> =>
      waitFor(
        () => {
          if (exitCode !== undefined) throw new Error(`exited before "${text}": ${lines.join('\n')}`);
          return lines.some((line) => line.includes(text));
        },
        { timeoutMs: 10_000, what: text },
      );
    try {
      await waitForLine('"msg":"ready"');
      child.kill('SIGTERM');
      await waitForLine('signal received: stopping');
      child.kill('SIGINT');
      assert.equal(await exited, 1);
      assert.ok(lines.some((line) => line.includes('second signal: exiting at once')));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
