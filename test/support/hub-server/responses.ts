/**
 * Small answers shared by the Hub and CDN hosts: the Hub's error responses
 * (status + X-Error-Code + X-Error-Message + a JSON body, as
 * huggingface_hub/utils/_http.py `hf_raise_for_status` reads them),
 * redirects, and the head of a file body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggedRequest } from './types.js';

export type HubErrorCode = 'RepoNotFound' | 'GatedRepo' | 'RevisionNotFound' | 'EntryNotFound';

/** Sends a complete small response; HEAD gets the same headers and no body. */
export function sendSmall(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, 'Content-Length': String(bytes.length) });
  log.status = status;
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.end(bytes);
  log.bodyBytesSent = bytes.length;
}

export function sendHubError(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  status: number,
  code: HubErrorCode | null,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'X-Error-Message': message,
    ...extraHeaders,
  };
  if (code !== null) headers['X-Error-Code'] = code;
  sendSmall(req, res, log, status, headers, JSON.stringify({ error: message }));
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  value: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  sendSmall(
    req,
    res,
    log,
    200,
    { 'Content-Type': 'application/json; charset=utf-8', ...extraHeaders },
    JSON.stringify(value),
  );
}

export function sendRedirect(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  status: 302 | 307,
  location: string,
  extraHeaders: Record<string, string> = {},
): void {
  sendSmall(
    req,
    res,
    log,
    status,
    { 'Content-Type': 'text/plain; charset=utf-8', Location: location, ...extraHeaders },
    `${status === 302 ? 'Found' : 'Temporary Redirect'}. Redirecting to ${location}`,
  );
}

/** A 429/5xx from a status fault. */
export function sendFaultStatus(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  fault: { status: number; retryAfterSeconds?: number },
): void {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  sendSmall(req, res, log, fault.status, headers, `injected fault: HTTP ${fault.status}`);
}

/** 416 with the size, as RFC 9110 section 15.5.17 asks. */
export function sendUnsatisfiable(
  req: IncomingMessage,
  res: ServerResponse,
  log: LoggedRequest,
  size: number,
  headers: Record<string, string>,
): void {
  sendSmall(req, res, log, 416, { ...headers, 'Content-Range': `bytes */${size}` }, '');
}

/** The query string of a raw request URL, with its `?` (or ''). */
export function queryOf(rawUrl: string): string {
  const at = rawUrl.indexOf('?');
  return at < 0 ? '' : rawUrl.slice(at);
}

/** Path segments of a raw URL, decoded one by one (so `%2F` stays inside its segment); null if malformed. */
export function decodedSegments(rawUrl: string): { raw: string[]; decoded: string[] } | null {
  const at = rawUrl.indexOf('?');
  const pathname = at < 0 ? rawUrl : rawUrl.slice(0, at);
  const raw = pathname.split('/').slice(1);
  try {
    return { raw, decoded: raw.map((s) => decodeURIComponent(s)) };
  } catch {
    return null;
  }
}
