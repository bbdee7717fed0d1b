/**
 * Answers a request for a file's bytes, on the Hub (regular files) or the
 * CDN (LFS files): 200, 206 with Content-Range, or 416; HEAD gets the head only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBody } from './body-stream.js';
import type { FaultRegistry } from './faults.js';
import { parseRange } from './ranges.js';
import type { StoredFile } from './repo-store.js';
import { sendUnsatisfiable } from './responses.js';
import type { LoggedRequest } from './types.js';

export async function serveFileBytes(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  file: StoredFile,
  headers: Record<string, string>,
  faults: FaultRegistry,
): Promise<void> {
  const range = parseRange(log.range, file.size);
  const head: Record<string, string> = { ...headers, 'Accept-Ranges': 'bytes' };
  if (range.kind === 'unsatisfiable') {
    sendUnsatisfiable(req, res, log, file.size, head);
    return;
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : file.size - 1;
  const status = range.kind === 'partial' ? 206 : 200;
  head['Content-Length'] = String(end - start + 1);
  if (range.kind === 'partial') head['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(status, head);
  log.status = status;
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await sendBody(res, file.source, start, end, faults.takeBodyFaults(log.path), log);
}
