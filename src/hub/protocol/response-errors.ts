/**
 * The Hub's error answers, turned into errors a user can act on. The Hub says
 * what went wrong in `X-Error-Code` / `X-Error-Message`; the mapping follows
 * huggingface_hub's hf_raise_for_status (utils/_http.py):
 *   RevisionNotFound, EntryNotFound, GatedRepo, "Access to this resource is
 *   disabled.", RepoNotFound (also a 401 without a code: private or missing).
 * 429 and 5xx are retryable (with Retry-After); a 403 from a CDN means its
 * signed URL expired.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ConstraintError, NotFoundError, ValidationError, type HubAnswerFacts } from '../../errors.js';
import { DownloadError, ExpiredUrlError, TransferError } from '../errors.js';
import { headerValue } from './http-client.js';
import { rateLimitResetMs } from './rate-limit-headers.js';
import { parseRetryAfter } from './retry-policy.js';

export interface HubAnswerContext {
  endpoint: string;
  repoId: string;
  revision: string;
  /** The repo file asked for, when the request was for one. */
  filePath?: string;
  tokenSent: boolean;
}

export interface HubAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  url: URL;
  fromTokenOrigin: boolean;
}

/** The error for a non-2xx answer: a TransferError (retryable or not) or a final contract error. */
export function errorForAnswer(answer: HubAnswer, context: HubAnswerContext): Error {
  const { status, headers } = answer;
  const code = headerValue(headers, 'x-error-code');
  const serverMessage = headerValue(headers, 'x-error-message') ?? '';
  const { endpoint, repoId, revision, filePath } = context;
  const hubAnswer: HubAnswerFacts = { status, code: code ?? null, url: `${answer.url.origin}${answer.url.pathname}` };
  const facts = { hubAnswer };

  if (status === 429 || status >= 500) {
    return new TransferError(`${answer.url.host} answered ${status}${status === 429 ? ' (too many requests)' : ''}`, {
      retryable: true,
      retryAfterMs: parseRetryAfter(headers['retry-after']) ?? rateLimitResetMs(headers),
      ...facts,
    });
  }
  if (!answer.fromTokenOrigin && status === 403) return new ExpiredUrlError(answer.url.host);

  if (code === 'RevisionNotFound') {
    return new NotFoundError(`revision "${revision}" not found in "${repoId}": check the branch, tag or commit`, facts);
  }
  if (code === 'EntryNotFound') {
    return new NotFoundError(
      `file "${filePath ?? answer.url.pathname}" not found in "${repoId}" at revision "${revision}"`,
      facts,
    );
  }
  if (code === 'GatedRepo') {
    return new ConstraintError(
      `"${repoId}" is gated: accept its terms at ${endpoint}/${repoId}, then retry with a token of that account (HF_TOKEN)`,
      facts,
    );
  }
  if (serverMessage === 'Access to this resource is disabled.') {
    return new ConstraintError(`"${repoId}" is disabled on ${endpoint}: it cannot be downloaded`, facts);
  }
  const badCredentials = /invalid credentials|invalid token|bad token/i.test(serverMessage);
  if (status === 401 && context.tokenSent && (code === undefined || badCredentials)) {
    return new ValidationError(`HF token rejected by ${endpoint}: check HF_TOKEN (or the token file)`, facts);
  }
  if (code === 'RepoNotFound' || status === 401) {
    return new NotFoundError(
      context.tokenSent
        ? `repository "${repoId}" not found, or private: check the name, or that HF_TOKEN can read it`
        : `repository "${repoId}" not found, or private: check the name, or set HF_TOKEN`,
      facts,
    );
  }
  if (status === 403) {
    return new ConstraintError(
      `${endpoint} refused access to "${repoId}" (403): the token lacks permission for it; check HF_TOKEN`,
      facts,
    );
  }
  if (status === 404) {
    return new NotFoundError(
      filePath !== undefined
        ? `file "${filePath}" not found in "${repoId}" at revision "${revision}"`
        : `${answer.url.pathname} not found on ${endpoint} (404): check hub.endpoint / HF_ENDPOINT`,
      facts,
    );
  }
  if (status === 400) {
    return new ValidationError(
      `${endpoint} refused the request for "${repoId}" (400): ${serverMessage || 'bad request'}`,
      facts,
    );
  }
  return new DownloadError(
    `${answer.url.host} answered ${status} for "${repoId}"${filePath ? ` file "${filePath}"` : ''}${serverMessage ? `: ${serverMessage}` : ''}`,
    facts,
  );
}
