/**
 * Errors as the Hub sends them: a status, `X-Error-Code` and
 * `X-Error-Message` headers, and `{"error": message}`. huggingface_hub's
 * `hf_raise_for_status` (utils/_http.py) and @huggingface/hub's
 * `createApiError` (error.ts) turn the codes into their own errors; an
 * EntryNotFound that carries `X-Repo-Commit` lets the Python client note
 * the file's absence in `.no_exist/{commit}/`.
 */
import type { ServerResponse } from 'node:http';

export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound' | 'EndpointNotFound' | 'BadRequest';

export interface HubError {
  status: number;
  /** null: a bare status (a missing or wrong token is 401 without a code, as on the Hub). */
  code: HubErrorCode | null;
  message: string;
  headers?: Record<string, string>;
}

export function repoNotFound(repoId: string): HubError {
  return { status: 404, code: 'RepoNotFound', message: `Repository not found: ${repoId} is not served by this mirror` };
}

export function revisionNotFound(repoId: string, revision: string): HubError {
  return {
    status: 404,
    code: 'RevisionNotFound',
    message: `Invalid rev id: ${revision} (this mirror serves ${repoId} at the commit hfsched last completed)`,
  };
}

export function entryNotFound(path: string, commit: string): HubError {
  return {
    status: 404,
    code: 'EntryNotFound',
    message: `Entry not found: ${path}`,
    headers: { 'x-repo-commit': commit },
  };
}

/** Header values must be one line of Latin-1; anything else is replaced. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

export function sendHubError(response: ServerResponse, error: HubError, headOnly: boolean): void {
  const body = `${JSON.stringify({ error: error.message })}\n`;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...error.headers,
  };
  if (error.code !== null) {
    headers['x-error-code'] = error.code;
    headers['x-error-message'] = headerSafe(error.message);
  }
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="hfsched mirror"';
  response.writeHead(error.status, headers);
  response.end(headOnly ? undefined : body);
}
