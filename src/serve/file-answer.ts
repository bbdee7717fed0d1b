/**
 * `HEAD|GET …/resolve/{rev}/{path}`: the file itself, answered 200 (or 206)
 * at once, never redirected, with the headers huggingface_hub's
 * `get_hf_file_metadata` and @huggingface/hub's `fileDownloadInfo` read:
 * `X-Repo-Commit`, `ETag` (the blob's name: git blob id, or sha256 for LFS
 * files), `X-Linked-Etag` and `X-Linked-Size` for LFS files,
 * `Content-Length`, `Accept-Ranges`. Never `X-Xet-Hash` nor a xet `Link`.
 *
 * The bytes are streamed from the blob (a read stream on the opened file,
 * through `pipeline`, so a slow client slows the reads instead of filling
 * memory); HEAD opens the blob to check it but reads nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { openServedBlob } from '../hub/index.js';
import { parseByteRange } from './byte-range.js';
import { sendHubError } from './hub-errors.js';
import type { ServedFile, ServedRepo } from './served-repos.js';

/** Read size of a file stream: large reads cost fewer calls per GiB; 32 connections hold at most a few of these each. */
export const READ_CHUNK_BYTES = 512 * 1024;

export interface FileAnswer {
  cacheDir: string;
  repo: ServedRepo;
  file: ServedFile;
  /** Counts body bytes as they go out. */
  onBytes: (count: number) => void;
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
  const stream = blob.handle.createReadStream({ start, end, highWaterMark: READ_CHUNK_BYTES });
  stream.on('data', (chunk: string | Buffer) => answer.onBytes(chunk.length));
  try {
    await pipeline(stream, response);
  } catch {
    // The client went away (or the socket timed out): the stream and its file are closed by pipeline.
  }
}
