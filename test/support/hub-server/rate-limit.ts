/**
 * The Hub's rate limits, for tests: a fixed window per bucket ("resolvers"
 * for /resolve/ URLs, "api" for the rest), announced on every answer of the
 * Hub host in one of three spellings, and 429 once the quota is spent
 * (https://huggingface.co/docs/hub/rate-limits). The CDN host is not limited.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggedRequest, RateLimitSpec } from './types.js';

interface Window {
  startedAt: number;
  used: number;
}

export class RateLimitWindows {
  private spec: RateLimitSpec | null = null;
  private readonly windows = new Map<string, Window>();

  set(spec: RateLimitSpec | null): void {
    this.spec = spec;
    this.windows.clear();
  }

  /** Counts the request and sets its headers; answers 429 itself (and returns false) when the quota is spent. */
  admit(req: IncomingMessage, res: ServerResponse, log: LoggedRequest): boolean {
    const spec = this.spec;
    if (spec === null) return true;
    if (spec.headers !== undefined) {
      for (const [name, value] of Object.entries(spec.headers)) res.setHeader(name, value);
      return true;
    }
    const bucket = (req.url ?? '').includes('/resolve/') ? 'resolvers' : 'api';
    const now = Date.now();
    const windowMs = spec.windowSeconds * 1000;
    let window = this.windows.get(bucket);
    if (window === undefined || now - window.startedAt >= windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(bucket, window);
    }
    window.used += 1;
    const remaining = Math.max(0, spec.quota - window.used);
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000));
    const refused = window.used > spec.quota;
    if (refused || spec.announce !== false) {
      for (const [name, value] of Object.entries(headersFor(spec, bucket, remaining, resetSeconds))) {
        res.setHeader(name, value);
      }
    }
    if (!refused) return true;
    res.writeHead(429, { 'Content-Type': 'text/plain', 'X-Error-Message': 'Too many requests' });
    res.end('rate limited\n');
    log.status = 429;
    return false;
  }
}

function headersFor(spec: RateLimitSpec, bucket: string, remaining: number, resetSeconds: number) {
  switch (spec.style ?? 'ietf') {
    case 'ietf':
      return {
        RateLimit: `"${bucket}";r=${remaining};t=${resetSeconds}`,
        'RateLimit-Policy': `"fixed window";"${bucket}";q=${spec.quota};w=${spec.windowSeconds}`,
      };
    case 'ietf-legacy':
      return {
        'RateLimit-Limit': String(spec.quota),
        'RateLimit-Remaining': String(remaining),
        'RateLimit-Reset': String(resetSeconds),
      };
    case 'x-ratelimit':
      return {
        'X-RateLimit-Limit': String(spec.quota),
        'X-RateLimit-Remaining': String(remaining),
        // As GitHub sends it: the Unix time of the reset.
        'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + resetSeconds),
      };
  }
}
