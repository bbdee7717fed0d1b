/**
 * The heads of HTTP/1.1 messages (RFC 9112), for bulk-get.ts: the request
 * head it sends, the response head it reads, and how that response's body
 * is framed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { TransferError } from '../errors.js';

export function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    // A header value is ours or the user's token; a line break in it would forge a header.
    if (/[\r\n]/.test(name + value)) throw new TransferError(`header ${name} holds a line break`, { retryable: false });
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (statusLine === null)
    throw new TransferError(`not an HTTP/1.1 answer: ${JSON.stringify(lines[0])}`, { retryable: true });
  // No prototype: a server's `constructor:` or `__proto__:` field is text like any other, not a
  // property inherited from Object (the fuzz test found `constructor` read as a function's source).
  const headers = Object.create(null) as Record<string, string | string[]>;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers[name];
    if (before === undefined) headers[name] = value;
    else if (name === 'set-cookie') headers[name] = [...(Array.isArray(before) ? before : [before]), value];
    else headers[name] = `${String(before)}, ${value}`;
  }
  return { status: Number(statusLine[1]), headers: headers as IncomingHttpHeaders };
}

/**
 * How the body is framed (RFC 9112 section 6.3): a byte count, 'chunked',
 * -1 for "until the connection closes", or null when this module cannot
 * read it (an interim 1xx answer, another transfer coding).
 */
export function bodyFraming(status: number, headers: IncomingHttpHeaders, method: string): number | 'chunked' | null {
  if (status < 200) return null;
  if (method === 'HEAD' || status === 204 || status === 304) return 0;
  const coding = headers['transfer-encoding'];
  if (coding !== undefined) return /^\s*chunked\s*$/i.test(coding) ? 'chunked' : null;
  const length = headers['content-length'];
  if (length === undefined) return -1;
  // Digits only, and a count that arithmetic keeps exact (over 2^53 it would never reach 0).
  return /^\d{1,15}$/.test(length) ? Number(length) : null;
}
