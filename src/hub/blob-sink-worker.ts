/**
 * Worker thread of a WorkerSink (worker-sink.ts): hashes the bytes it is
 * handed (transferred, not copied) and appends them to the partial file, in
 * order, then tells how many are stored. Protocol: worker-sink.ts.
 */
import { closeSync, fsyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { newHash, openPartialFile, writeAllAt } from './blob-sink.js';
import type { FromSinkWorker, SinkWorkerData, ToSinkWorker } from './worker-sink.js';

const data = workerData as SinkWorkerData;
const port = parentPort!;

function reply(message: FromSinkWorker): void {
  port.postMessage(message);
}

/** Errors keep their code (ENOSPC, EACCES...): errors.ts turns those into disk errors. */
function replyError(error: unknown): void {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  reply({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  });
}

const hash = newHash(data.algorithm, data.size);
let fd: number | null = null;
let position = data.prefix;
try {
  fd = openPartialFile(data.filePath, data.prefix, hash);
  reply({ type: 'ready' });
} catch (error) {
  replyError(error);
}

function closeFile(): void {
  if (fd !== null) closeSync(fd);
  fd = null;
}

port.on('message', (message: ToSinkWorker) => {
  try {
    if (fd === null) throw new Error('the partial file is not open');
    if (message.type === 'data') {
      const view = new Uint8Array(message.buffer, 0, message.bytes);
      hash.update(view);
      writeAllAt(fd, [view], position);
      position += message.bytes;
      // The buffer goes back to the main thread, to be filled again.
      port.postMessage({ type: 'stored', bytes: message.bytes, buffer: message.buffer } satisfies FromSinkWorker, [
        message.buffer,
      ]);
    } else if (message.type === 'finish') {
      fsyncSync(fd);
      closeFile();
      reply({ type: 'digest', hex: hash.digest('hex') });
    } else {
      closeFile();
      reply({ type: 'stopped' });
    }
  } catch (error) {
    closeFile();
    replyError(error);
  }
});
