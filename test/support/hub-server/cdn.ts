/**
 * The CDN host (127.0.0.2): serves LFS blobs by sha256 at signed URLs that
 * expire, like the Hub's CloudFront/Xet bridge URLs. It never needs the
 * token; the request log records whether one reached it anyway.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRegistry } from './faults.js';
import { serveFileBytes } from './file-response.js';
import type { RepoStore, StoredFile } from './repo-store.js';
import { sendFaultStatus, sendSmall } from './responses.js';
import type { LoggedRequest } from './types.js';

const ACCESS_DENIED =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>';

export class Cdn {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly baseUrl: string,
    private readonly store: RepoStore,
    private readonly faults: FaultRegistry,
    private readonly ttlSeconds: number,
  ) {}

  /** A signed URL for an LFS file; its query names the file, as the Hub's do (response-content-disposition). */
  signedUrl(repoId: string, file: StoredFile): string {
    const repoKey = createHash('sha256').update(repoId).digest('hex');
    const pathname = `/repos/${repoKey.slice(0, 2)}/${repoKey.slice(2, 4)}/${repoKey}/${file.sha256}`;
    const name = file.path.split('/').pop()!;
    const disposition = `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name}";`;
    const expires = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const sig = this.signature(pathname, expires);
    const query = new URLSearchParams({ 'response-content-disposition': disposition, expires: String(expires), sig });
    return `${this.baseUrl}${pathname}?${query.toString()}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse, log: LoggedRequest): Promise<void> {
    const statusFault = this.faults.takeStatus(log.path);
    if (statusFault) return sendFaultStatus(req, res, log, statusFault);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendSmall(req, res, log, 405, { Allow: 'GET, HEAD' }, 'method not allowed');
    }
    const url = new URL(log.path, this.baseUrl);
    const match = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}\/([0-9a-f]{64})$/.exec(url.pathname);
    const file = match ? this.store.blob(match[1]!) : undefined;
    const expires = Number(url.searchParams.get('expires'));
    const valid =
      file !== undefined &&
      Number.isInteger(expires) &&
      this.signatureMatches(url.pathname, expires, url.searchParams.get('sig') ?? '') &&
      expires >= Date.now() / 1000;
    // An expired (or forged) signed URL answers 403, like CloudFront.
    if (this.faults.takeCdnExpiry() || !valid || file === undefined) {
      return sendSmall(req, res, log, 403, { 'Content-Type': 'application/xml' }, ACCESS_DENIED);
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      ETag: `"${file.sha256}"`,
    };
    const disposition = url.searchParams.get('response-content-disposition');
    if (disposition) headers['Content-Disposition'] = disposition;
    await serveFileBytes(req, res, log, file, headers, this.faults);
  }

  private signature(pathname: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${pathname}\n${expires}`).digest('hex');
  }

  private signatureMatches(pathname: string, expires: number, sig: string): boolean {
    const expected = Buffer.from(this.signature(pathname, expires));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
