/**
 * What every request of one snapshot download shares: the endpoint, the
 * token and where it may go, the timeouts and retry limits, the abort signal.
 * Also the URLs of the Hub API (huggingface_hub/hf_api.py, file_download.hf_hub_url).
 */
import type { Logger } from 'pino';
import type { HubHttpClient } from './http-client.js';
import type { HubRepoType } from '../repo-paths.js';
import type { RetryEvent } from '../types.js';

export interface HubConnection {
  /** Where the requests go out (the runtime's: its connections, network settings and rate limiter). */
  http: HubHttpClient;
  /** No trailing slash. */
  endpoint: string;
  /** The endpoint's origin: the only one that gets the token. */
  tokenOrigin: string;
  token: string | null;
  repoId: string;
  repoType: HubRepoType;
  stallTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  signal?: AbortSignal;
  logger?: Logger;
  onRetry?: (event: RetryEvent) => void;
}

/** Tells the logger and the caller that `what` failed and is tried again in `delayMs`. */
export function announceRetry(
  connection: HubConnection,
  what: string,
  error: unknown,
  retry: number,
  delayMs: number,
): void {
  const reason = error instanceof Error ? error.message : String(error);
  connection.logger?.warn(
    { repo: connection.repoId, retry, maxRetries: connection.maxRetries, delayMs: Math.round(delayMs), reason },
    `${what}: retrying`,
  );
  try {
    connection.onRetry?.({ what, reason, retry, maxRetries: connection.maxRetries, delayMs });
  } catch {
    // A failing display must not fail the download.
  }
}

export function hubConnection(options: {
  http: HubHttpClient;
  endpoint: string;
  token: string | null;
  repoId: string;
  /** Default 'model'. */
  repoType?: HubRepoType;
  stallTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onRetry?: (event: RetryEvent) => void;
}): HubConnection {
  const endpoint = options.endpoint.trim().replace(/\/+$/, '');
  const connection: HubConnection = {
    http: options.http,
    endpoint,
    tokenOrigin: new URL(endpoint).origin,
    token: options.token,
    repoId: options.repoId,
    repoType: options.repoType ?? 'model',
    stallTimeoutMs: options.stallTimeoutMs,
    maxRetries: options.maxRetries,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
  };
  if (options.signal !== undefined) connection.signal = options.signal;
  if (options.logger !== undefined) connection.logger = options.logger;
  if (options.onRetry !== undefined) connection.onRetry = options.onRetry;
  return connection;
}

/** `{endpoint}/api/models/{repo_id}` or `{endpoint}/api/datasets/{repo_id}` (hf_api.py). */
function apiRepoUrl(connection: HubConnection): string {
  return `${connection.endpoint}/api/${connection.repoType}s/${connection.repoId}`;
}

/** `/api/models/{repo_id}/revision/{revision}?blobs=true`: the commit and every file with size and hashes. */
export function revisionInfoUrl(connection: HubConnection, revision: string): string {
  return `${apiRepoUrl(connection)}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** `/api/models/{repo_id}/revision/{revision}`: the commit (and file names only), for a cheap branch check. */
export function revisionCommitUrl(connection: HubConnection, revision: string): string {
  return `${apiRepoUrl(connection)}/revision/${encodeURIComponent(revision)}`;
}

/** `/api/models/{repo_id}/refs`: the branches and tags (hf_api.list_repo_refs). */
export function refsUrl(connection: HubConnection): string {
  return `${apiRepoUrl(connection)}/refs`;
}

/** `/api/models/{repo_id}/tree/{revision}?recursive=true`: the files, in pages (Link: rel="next"). */
export function treeUrl(connection: HubConnection, revision: string): string {
  return `${apiRepoUrl(connection)}/tree/${encodeURIComponent(revision)}?recursive=true&expand=false`;
}

/**
 * `/{repo_id}/resolve/{revision}/{path}` (`/datasets/{repo_id}/…` for a
 * dataset, file_download.hf_hub_url): the file's bytes; the path keeps its slashes.
 */
export function resolveUrl(connection: HubConnection, revision: string, repoPath: string): string {
  const path = repoPath.split('/').map(encodeURIComponent).join('/');
  const prefix = connection.repoType === 'dataset' ? 'datasets/' : '';
  return `${connection.endpoint}/${prefix}${connection.repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}
