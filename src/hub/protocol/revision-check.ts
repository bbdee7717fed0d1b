/**
 * Whether a revision is a tag (pinned), and the cheap check of a tracked branch: one API call for the commit the
 * branch points at now (huggingface_hub's model_info / dataset_info at a
 * revision), with few retries: a check that fails is simply tried again at
 * the next firing.
 */
import { asUserFacingError } from '../errors.js';
import type { HubHttpClient } from './http-client.js';
import { hubConnection, type HubConnection } from './hub-connection.js';
import { fetchRefs, fetchRevisionCommit, fetchTagNames } from './repo-listing.js';
import { isCommitHash } from '../repo-paths.js';
import { validateRepoId } from '../../repo-id.js';
import { assertSafeRevision, type HubRepoType } from '../repo-paths.js';

export interface RevisionCheckRequest {
  endpoint: string;
  token: string | null;
  repoId: string;
  repoType: HubRepoType;
  revision: string;
  stallTimeoutMs: number;
  /** Retries after a network error, 5xx or 429 (default 1). */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  signal?: AbortSignal;
}

function connectionFor(http: HubHttpClient, request: RevisionCheckRequest): HubConnection {
  validateRepoId(request.repoId);
  assertSafeRevision(request.revision);
  return hubConnection({
    http,
    endpoint: request.endpoint,
    token: request.token,
    repoId: request.repoId,
    repoType: request.repoType,
    stallTimeoutMs: request.stallTimeoutMs,
    maxRetries: request.maxRetries ?? 1,
    ...(request.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: request.retryBaseDelayMs } : {}),
    ...(request.signal !== undefined ? { signal: request.signal } : {}),
  });
}

/** The 40-hex commit `revision` points at on the Hub. Errors are one line, naming the repository. */
export async function resolveRevisionCommit(http: HubHttpClient, request: RevisionCheckRequest): Promise<string> {
  const connection = connectionFor(http, request);
  try {
    return await fetchRevisionCommit(connection, request.revision);
  } catch (error) {
    request.signal?.throwIfAborted();
    throw asUserFacingError(error, `checking "${request.repoId}" at revision "${request.revision}"`);
  }
}

export type TrackedRevision = { kind: 'tag' } | { kind: 'branch'; commit: string };

/**
 * What a tracked model's revision is now, in one call: for `main`, the
 * branch's commit; for another name, the refs endpoint says at once whether
 * it is a tag (then the model should be pinned, never checked again) or a
 * branch, and where it points. A name the refs do not list (`refs/pr/1`) is
 * asked for as a revision.
 */
export async function checkTrackedRevision(
  http: HubHttpClient,
  request: RevisionCheckRequest,
): Promise<TrackedRevision> {
  const connection = connectionFor(http, request);
  const { revision } = request;
  try {
    if (revision === 'main' || isCommitHash(revision))
      return { kind: 'branch', commit: await fetchRevisionCommit(connection, revision) };
    const refs = await fetchRefs(connection);
    if (refs.tags.has(revision)) return { kind: 'tag' };
    const commit = refs.branches.get(revision);
    if (commit !== undefined && isCommitHash(commit)) return { kind: 'branch', commit };
    return { kind: 'branch', commit: await fetchRevisionCommit(connection, revision) };
  } catch (error) {
    request.signal?.throwIfAborted();
    throw asUserFacingError(error, `checking "${request.repoId}" at revision "${revision}"`);
  }
}

/**
 * Whether `revision` is a tag of the repository (a tag does not move, so a
 * model on a tag is pinned). One call to the refs endpoint.
 */
export async function isTagRevision(http: HubHttpClient, request: RevisionCheckRequest): Promise<boolean> {
  const connection = connectionFor(http, request);
  try {
    return (await fetchTagNames(connection)).has(request.revision);
  } catch (error) {
    request.signal?.throwIfAborted();
    throw asUserFacingError(error, `listing the tags of "${request.repoId}"`);
  }
}
