/**
 * `HEAD|GET …/resolve/{rev}/{path}`: the file itself, answered 200 (or 206)
 * at once, never redirected, with the headers huggingface_hub's
 * `get_hf_file_metadata` and @huggingface/hub's `fileDownloadInfo` read:
 * `X-Repo-Commit`, `ETag` (the blob's name: git blob id, or sha256 for LFS
 * files), `X-Linked-Etag` and `X-Linked-Size` for LFS files,
 * `Content-Length`, `Accept-Ranges`. Never `X-Xet-Hash` nor a xet `Link`.
 *
 * The bytes are streamed from the blob, read and written in turn with two
 * fixed buffers per connection (sendBytes), so a slow client slows the reads
 * instead of filling memory; HEAD opens the blob to check it but reads nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileHandle } from 'node:fs/promises';
import { openServedBlob } from '../hub/index.js';
import { parseByteRange } from './byte-range.js';
import { sendHubError } from './hub-errors.js';
import type { ReadBufferBudget } from './read-buffers.js';
import type { ServedFile, ServedRepo } from './served-repos.js';

/**
 * Streams bytes `start..end` (inclusive) of the file to the response: two
 * buffers per connection (read-buffers.ts), one being read while the other is written, each
 * reused once the kernel has taken it (the write's callback). A slow client
 * slows the reads; memory stays at two buffers a connection whatever the
 * file's size.
 *
 * Driven by callbacks, not by awaiting a race against the connection's end:
 * each `Promise.race` with a promise that stays pending (until the client
 * leaves) adds a reaction to it that is kept until then, two per chunk, which
 * grew the heap by ~3.5 MiB per GiB sent per connection. Settles only when no
 * read is in flight, so the caller may close the file at once.
 */
function sendBytes(
  handle: FileHandle,
  response: ServerResponse,
  start: number,
  end: number,
  onBytes: (count: number) => void,
  readBuffers: ReadBufferBudget,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const { buffers, release } = readBuffers.take(end - start + 1);
    let readPosition = start;
    let readTurn = 0;
    let reading = false;
    let writing = false;
    /** A chunk read while the other was still being written: it goes out next. */
    let ready: Buffer | null = null;
    let failure: Error | null = null;
    let settled = false;

    const settle = (): void => {
      if (settled || reading) return;
      settled = true;
      release();
      response.off('close', onClose);
      if (failure !== null) reject(failure);
      else resolve();
    };
    const fail = (error: Error): void => {
      failure ??= error;
      settle();
    };
    const onClose = (): void => fail(new Error('the connection closed'));
    response.once('close', onClose);

    const readNext = (): void => {
      if (readPosition > end || failure !== null) return;
      const buffer = buffers[readTurn]!;
      readTurn ^= 1;
      const position = readPosition;
      const length = Math.min(buffer.length, end - position + 1);
      readPosition += length;
      reading = true;
      handle.read(buffer, 0, length, position).then(
        ({ bytesRead }) => {
          reading = false;
          if (failure !== null) return settle();
          if (bytesRead !== length) return fail(new Error(`the blob ended early at ${position + bytesRead}`));
          const chunk = buffer.subarray(0, length);
          if (writing) ready = chunk;
          else write(chunk);
        },
        (error: Error) => {
          reading = false;
          fail(error);
        },
      );
    };
    const write = (chunk: Buffer): void => {
      writing = true;
      // Read ahead into the other buffer (its previous write is done) while this one goes out.
      readNext();
      response.write(chunk, (error) => {
        writing = false;
        if (error) return fail(error);
        if (failure !== null) return;
        onBytes(chunk.length);
        if (ready !== null) {
          const next = ready;
          ready = null;
          write(next);
        } else if (!reading && readPosition > end) {
          response.end(() => settle());
        }
      });
    };
    readNext();
  });
}

export interface FileAnswer {
  cacheDir: string;
  repo: ServedRepo;
  file: ServedFile;
  /** Counts body bytes as they go out. */
  onBytes: (count: number) => void;
  /** The mirror's read buffers. */
  readBuffers: ReadBufferBudget;
}

export async function answerFile(
  request: IncomingMessage,
  response: ServerResponse,
  answer: FileAnswer,
): Promise<void> {
  const { repo, file } = answer;
  const headOnly = request.method === 'HEAD';
  const blob = await openServedBlob({
    cacheDir: answer.cacheDir,
    repoId: repo.repoId,
    repoType: repo.repoType,
    etag: file.etag,
  });
  if (blob === null || blob.size !== file.size) {
    await blob?.handle.close();
    // The snapshot was complete and verified; a blob gone or changed since is hfsched's to repair, not the client's "absent".
    sendHubError(
      response,
      {
        status: 503,
        code: null,
        message: `the mirror's copy of ${file.path} is missing or damaged; hfsched repairs it at its next run (hfsched verify)`,
        headers: { 'retry-after': '300' },
      },
      headOnly,
    );
    return;
  }
  const etag = `"${file.etag}"`;
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'x-repo-commit': repo.commit,
    etag,
  };
  if (file.lfs !== null) {
    headers['x-linked-etag'] = etag;
    headers['x-linked-size'] = file.size;
  }
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === etag
      ? parseByteRange(request.headers.range, file.size)
      : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    await blob.handle.close();
    response.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}`, 'content-length': 0 });
    response.end();
    return;
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : file.size - 1;
  headers['content-length'] = end - start + 1;
  if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  response.writeHead(range.kind === 'partial' ? 206 : 200, headers);
  if (headOnly || file.size === 0) {
    await blob.handle.close();
    response.end();
    return;
  }
  try {
    await sendBytes(blob.handle, response, start, end, answer.onBytes, answer.readBuffers);
  } catch {
    // The client went away, or the socket timed out: nothing more to send.
    response.destroy();
  } finally {
    await blob.handle.close();
  }
}
