/**
 * Which commit a revision points at, and the files of that commit with their
 * sizes and hashes. As huggingface_hub's snapshot_download: the revision
 * endpoint (`?blobs=true` adds size, blobId and lfs.sha256 to each sibling),
 * and the paged tree listing when the siblings cannot be trusted (none, more
 * than VERY_LARGE_REPO_THRESHOLD, or a mirror that leaves the hashes out).
 */
import { asUserFacingError, DownloadError } from '../errors.js';
import { headerValue, readBodyText } from './http-client.js';
import {
  announceRetry,
  type HubConnection,
  refsUrl,
  revisionCommitUrl,
  revisionInfoUrl,
  treeUrl,
} from './hub-connection.js';
import { isCommitHash } from '../repo-paths.js';
import { errorForAnswer } from './response-errors.js';
import { RetryBudget } from './retry-policy.js';

/** huggingface_hub/constants.py: above this, `siblings` may be truncated. */
const VERY_LARGE_REPO_THRESHOLD = 50_000;
/**
 * Limits on what a server can make us do (a broken mirror, a hostile
 * endpoint). A page of the Hub's tree listing is 1,000 entries, about
 * 250 KB; the largest repositories list a few hundred thousand files. A JSON
 * answer is held and parsed whole on the main thread: 32 MiB parses in about
 * half a second, well inside the daemon's heartbeat (src/control/liveness.ts).
 */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;
export const MAX_LISTING_PAGES = 10_000;
export const MAX_LISTED_FILES = 1_000_000;
/** No single file on the Hub comes near this (the Xet bridge fails at about 400 GB); a bigger size is a lie. */
export const MAX_FILE_BYTES = 16 * 1024 ** 4;

export interface RepoFile {
  path: string;
  size: number;
  /** The git blob sha1 (of the LFS pointer, for LFS files). */
  blobId: string;
  /** Set for LFS files: the sha256 of the content, also its cache name. */
  lfsSha256: string | null;
  /** Set for Xet-backed files (`xetHash` of a tree entry): the name of its shared store entry. */
  xetHash: string | null;
}

export interface RevisionListing {
  commit: string;
  files: RepoFile[];
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValidSize(size: Json): size is number {
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 && size <= MAX_FILE_BYTES;
}

/**
 * A file entry in either shape: a sibling ({rfilename, size, blobId,
 * lfs.sha256}) or a tree entry ({path, size, oid, lfs.oid}). A string says
 * what is wrong with it (the path in it is quoted as JSON: no raw control
 * characters); null when it lacks a field (a sibling without `?blobs=true`).
 */
function parseFileEntry(entry: Json): RepoFile | string | null {
  if (!isRecord(entry)) return null;
  const path = typeof entry.rfilename === 'string' ? entry.rfilename : entry.path;
  const blobId = typeof entry.blobId === 'string' ? entry.blobId : entry.oid;
  const size = entry.size;
  if (typeof path !== 'string' || typeof blobId !== 'string' || size === undefined) return null;
  if (!isValidSize(size)) return `it lists an invalid size (${JSON.stringify(size)}) for ${JSON.stringify(path)}`;
  let lfsSha256: string | null = null;
  if (isRecord(entry.lfs)) {
    const sha = typeof entry.lfs.sha256 === 'string' ? entry.lfs.sha256 : entry.lfs.oid;
    if (typeof sha !== 'string') return null;
    lfsSha256 = sha;
    // For LFS files, `size` is the content's size and lfs.size says the same: two sizes are a lie.
    const lfsSize = entry.lfs.size;
    if (lfsSize !== undefined && lfsSize !== size) {
      return `it lists two sizes for ${JSON.stringify(path)} (${JSON.stringify(size)} and lfs.size ${JSON.stringify(lfsSize)})`;
    }
  }
  // Kept only in the shape the shared store names entries by; anything else is as good as absent.
  const xetHash = typeof entry.xetHash === 'string' && /^[0-9a-f]{64}$/.test(entry.xetHash) ? entry.xetHash : null;
  return { path, size, blobId, lfsSha256, xetHash };
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
      const response = await connection.http.send({
        url,
        token: connection.token,
        tokenOrigin: connection.tokenOrigin,
        stallTimeoutMs: connection.stallTimeoutMs,
        headers: { Accept: 'application/json' },
        ...(connection.signal ? { signal: connection.signal } : {}),
      });
      if (response.status < 200 || response.status > 299) {
        response.watchdog.stop();
        response.body.drain();
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

/**
 * Where the listing goes next, or why it stops: a loop, too many pages, or a
 * page elsewhere than this listing's own path. A next page on another origin
 * is never fetched there (a hostile endpoint could aim us at any host); when
 * its path is this listing's (a mirror that passes the Hub's own Link header
 * through), the same path and query are asked of the endpoint instead.
 */
function followNextPage(next: string, first: URL, seen: Set<string>): { url: string } | { refused: string } {
  let url = new URL(next);
  if (url.origin !== first.origin) {
    if (url.pathname !== first.pathname) return { refused: `its next page is on another server (${url.origin})` };
    url = new URL(url.pathname + url.search, first.origin);
  }
  if (seen.has(url.href)) return { refused: `its next page ${url.href} was already listed (the pages loop)` };
  if (seen.size >= MAX_LISTING_PAGES) return { refused: `it has more than ${MAX_LISTING_PAGES} pages` };
  return { url: url.href };
}

/** Lists every file of `commit` through the paged tree endpoint. */
async function listTree(connection: HubConnection, commit: string, revision: string): Promise<RepoFile[]> {
  const doing = `listing the files of "${connection.repoId}"`;
  const refuse = (why: string): DownloadError =>
    new DownloadError(
      `${doing}: ${connection.endpoint} gave a listing hfsched refuses: ${why}; check hub.endpoint / HF_ENDPOINT`,
    );
  const files: RepoFile[] = [];
  const first = new URL(treeUrl(connection, commit));
  const seen = new Set<string>();
  let url = first.href;
  for (;;) {
    seen.add(url);
    const page: JsonAnswer = await getJson(connection, url, revision, doing);
    if (!Array.isArray(page.json)) throw refuse('a page is not a list of entries');
    for (const entry of page.json) {
      if (!isRecord(entry) || entry.type !== 'file') continue;
      const file = parseFileEntry(entry);
      if (file === null) throw refuse('an entry lacks its path, size or hash');
      if (typeof file === 'string') throw refuse(file);
      files.push(file);
      if (files.length > MAX_LISTED_FILES) throw refuse(`it lists more than ${MAX_LISTED_FILES} files`);
    }
    if (page.nextPage === null) break;
    const next = followNextPage(page.nextPage, first, seen);
    if ('refused' in next) throw refuse(next.refused);
    url = next.url;
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

export interface RepoRefs {
  /** Branch name -> the commit it points at (`branches[].targetCommit`). */
  branches: Map<string, string>;
  /** Tag names (`tags[].name`). */
  tags: Set<string>;
}

/** The repository's branches and tags: one call to the refs endpoint (hf_api.list_repo_refs). */
export async function fetchRefs(connection: HubConnection): Promise<RepoRefs> {
  const doing = `listing the branches and tags of "${connection.repoId}"`;
  const { json } = await getJson(connection, refsUrl(connection), 'main', doing);
  const list = (key: string): Json[] => (isRecord(json) && Array.isArray(json[key]) ? (json[key] as Json[]) : []);
  const branches = new Map<string, string>();
  for (const branch of list('branches')) {
    if (isRecord(branch) && typeof branch.name === 'string' && typeof branch.targetCommit === 'string')
      branches.set(branch.name, branch.targetCommit);
  }
  const tags = new Set(
    list('tags').flatMap((tag) => (isRecord(tag) && typeof tag.name === 'string' ? [tag.name] : [])),
  );
  return { branches, tags };
}

/** The names of the repository's tags (`tags[].name` of the refs endpoint). */
export async function fetchTagNames(connection: HubConnection): Promise<Set<string>> {
  return (await fetchRefs(connection)).tags;
}

/**
 * Resolves `revision` to a commit and lists that commit's files with sizes
 * and hashes. `known` gives a listing already on disk for a commit (a commit
 * never changes): a revision that is a commit then costs no request, and a
 * branch one. The siblings of the revision answer serve when they are whole
 * and name no LFS file without its Xet hash; otherwise the tree listing,
 * which has them (`xetHash`), is read.
 */
export async function listRevision(
  connection: HubConnection,
  revision: string,
  known: (commit: string) => RepoFile[] | null = () => null,
): Promise<RevisionListing & { fromCache: boolean }> {
  const cachedAtCommit = isCommitHash(revision) ? known(revision.toLowerCase()) : null;
  if (cachedAtCommit !== null) return { commit: revision.toLowerCase(), files: cachedAtCommit, fromCache: true };
  const doing = `resolving "${connection.repoId}" at revision "${revision}"`;
  const { json } = await getJson(connection, revisionInfoUrl(connection, revision), revision, doing);
  const commit = commitOf(json, connection, doing);
  const cached = known(commit);
  if (cached !== null) return { commit, files: cached, fromCache: true };
  const siblings = isRecord(json) && Array.isArray(json.siblings) ? json.siblings : [];
  const parsed = siblings.map(parseFileEntry);
  const complete = parsed.every((file) => file !== null && typeof file !== 'string');
  const trustworthy = siblings.length > 0 && siblings.length <= VERY_LARGE_REPO_THRESHOLD && complete;
  const files = parsed as RepoFile[];
  if (trustworthy && files.every((file) => file.lfsSha256 === null || file.xetHash !== null))
    return { commit, files, fromCache: false };
  return { commit, files: await listTree(connection, commit, revision), fromCache: false };
}
