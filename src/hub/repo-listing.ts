/**
 * Which commit a revision points at, and the files of that commit with their
 * sizes and hashes. As huggingface_hub's snapshot_download: the revision
 * endpoint (`?blobs=true` adds size, blobId and lfs.sha256 to each sibling),
 * and the paged tree listing when the siblings cannot be trusted (none, more
 * than VERY_LARGE_REPO_THRESHOLD, or a mirror that leaves the hashes out).
 */
import { asUserFacingError, DownloadError } from './errors.js';
import { headerValue, readBodyText, sendHubRequest } from './http-client.js';
import { announceRetry, type HubConnection, revisionCommitUrl, revisionInfoUrl, treeUrl } from './hub-connection.js';
import { isCommitHash } from './repo-paths.js';
import { errorForAnswer } from './response-errors.js';
import { RetryBudget } from './retry-policy.js';

/** huggingface_hub/constants.py: above this, `siblings` may be truncated. */
const VERY_LARGE_REPO_THRESHOLD = 50_000;
const MAX_JSON_BYTES = 256 * 1024 * 1024;

export interface RepoFile {
  path: string;
  size: number;
  /** The git blob sha1 (of the LFS pointer, for LFS files). */
  blobId: string;
  /** Set for LFS files: the sha256 of the content, also its cache name. */
  lfsSha256: string | null;
}

export interface RevisionListing {
  commit: string;
  files: RepoFile[];
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A file entry in either shape: a sibling ({rfilename, size, blobId, lfs.sha256}) or a tree entry ({path, size, oid, lfs.oid}). */
function parseFileEntry(entry: Json): RepoFile | null {
  if (!isRecord(entry)) return null;
  const path = typeof entry.rfilename === 'string' ? entry.rfilename : entry.path;
  const blobId = typeof entry.blobId === 'string' ? entry.blobId : entry.oid;
  const size = entry.size;
  if (typeof path !== 'string' || typeof blobId !== 'string' || typeof size !== 'number') return null;
  if (!Number.isSafeInteger(size) || size < 0) return null;
  let lfsSha256: string | null = null;
  if (isRecord(entry.lfs)) {
    const sha = typeof entry.lfs.sha256 === 'string' ? entry.lfs.sha256 : entry.lfs.oid;
    if (typeof sha !== 'string') return null;
    lfsSha256 = sha;
    // For LFS files, `size` is the content's size; lfs.size says the same when present.
    if (typeof entry.lfs.size === 'number' && entry.lfs.size !== size)
      return { path, size: entry.lfs.size, blobId, lfsSha256 };
  }
  return { path, size, blobId, lfsSha256 };
}

interface JsonAnswer {
  json: Json;
  nextPage: string | null;
}

/** GETs a JSON document from the Hub API, retrying network errors, 429 and 5xx. */
async function getJson(connection: HubConnection, url: string, revision: string, doing: string): Promise<JsonAnswer> {
  const budget = new RetryBudget(connection.maxRetries, connection.retryBaseDelayMs);
  for (;;) {
    try {
      const response = await sendHubRequest({
        url,
        token: connection.token,
        tokenOrigin: connection.tokenOrigin,
        stallTimeoutMs: connection.stallTimeoutMs,
        headers: { Accept: 'application/json' },
        ...(connection.signal ? { signal: connection.signal } : {}),
      });
      if (response.status < 200 || response.status > 299) {
        response.watchdog.stop();
        response.body.resume();
        throw errorForAnswer(response, {
          endpoint: connection.endpoint,
          repoId: connection.repoId,
          revision,
          tokenSent: connection.token !== null && response.fromTokenOrigin,
        });
      }
      const text = await readBodyText(response, MAX_JSON_BYTES);
      let json: Json;
      try {
        json = JSON.parse(text);
      } catch {
        throw new DownloadError(`${doing}: ${response.url.host} did not answer JSON; check hub.endpoint / HF_ENDPOINT`);
      }
      return { json, nextPage: nextPageUrl(headerValue(response.headers, 'link'), response.url) };
    } catch (error) {
      connection.signal?.throwIfAborted();
      try {
        await budget.pauseBeforeRetry(error, connection.signal, (retry, delayMs) =>
          announceRetry(connection, doing, error, retry, delayMs),
        );
      } catch (final) {
        connection.signal?.throwIfAborted();
        throw asUserFacingError(final, doing, budget.retriesUsed);
      }
    }
  }
}

/** The `rel="next"` URL of a Link header (RFC 8288), as the Hub pages its tree listing. */
export function nextPageUrl(link: string | undefined, base: URL): string | null {
  if (link === undefined) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /rel\s*=\s*"?next"?/i.test(match[2]!)) return new URL(match[1]!, base).href;
  }
  return null;
}

/** Lists every file of `commit` through the paged tree endpoint. */
async function listTree(connection: HubConnection, commit: string, revision: string): Promise<RepoFile[]> {
  const files: RepoFile[] = [];
  let url: string | null = treeUrl(connection, commit);
  while (url !== null) {
    const page: JsonAnswer = await getJson(connection, url, revision, `listing the files of "${connection.repoId}"`);
    if (!Array.isArray(page.json)) {
      throw new DownloadError(
        `listing the files of "${connection.repoId}": unexpected answer from ${connection.endpoint}`,
      );
    }
    for (const entry of page.json) {
      if (!isRecord(entry) || entry.type !== 'file') continue;
      const file = parseFileEntry(entry);
      if (file === null) {
        throw new DownloadError(`listing the files of "${connection.repoId}": an entry lacks its path, size or hash`);
      }
      files.push(file);
    }
    url = page.nextPage;
  }
  return files;
}

/** The commit `json.sha` names, or a DownloadError saying the endpoint is not a Hub. */
function commitOf(json: Json, connection: HubConnection, doing: string): string {
  if (!isRecord(json) || typeof json.sha !== 'string' || !isCommitHash(json.sha)) {
    throw new DownloadError(`${doing}: ${connection.endpoint} gave no commit hash; check hub.endpoint / HF_ENDPOINT`);
  }
  return json.sha;
}

/**
 * The commit a branch points at now: one API call, without the file hashes
 * (the cheap check of a tracked model at each firing).
 */
export async function fetchRevisionCommit(connection: HubConnection, revision: string): Promise<string> {
  const doing = `checking "${connection.repoId}" at revision "${revision}"`;
  const { json } = await getJson(connection, revisionCommitUrl(connection, revision), revision, doing);
  return commitOf(json, connection, doing);
}

/** Resolves `revision` to a commit and lists that commit's files with sizes and hashes. */
export async function listRevision(connection: HubConnection, revision: string): Promise<RevisionListing> {
  const doing = `resolving "${connection.repoId}" at revision "${revision}"`;
  const { json } = await getJson(connection, revisionInfoUrl(connection, revision), revision, doing);
  const commit = commitOf(json, connection, doing);
  const siblings = isRecord(json) && Array.isArray(json.siblings) ? json.siblings : [];
  const parsed = siblings.map(parseFileEntry);
  const complete = parsed.every((file) => file !== null);
  const trustworthy = siblings.length > 0 && siblings.length <= VERY_LARGE_REPO_THRESHOLD && complete;
  if (trustworthy) return { commit, files: parsed as RepoFile[] };
  return { commit, files: await listTree(connection, commit, revision) };
}
