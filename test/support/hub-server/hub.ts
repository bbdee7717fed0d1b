/**
 * The Hub host (127.0.0.1): the model API (revision, tree) and `resolve`,
 * with the Hub's authentication rules and error codes (docs/hub-protocol.md, "Errors
 * the Hub answers"; huggingface_hub/utils/_http.py hf_raise_for_status).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cdn } from './cdn.js';
import type { FaultRegistry } from './faults.js';
import { serveFileBytes } from './file-response.js';
import { decodeCursor, encodeCursor, repoRefs, revisionInfo, treeEntries } from './hub-api.js';
import { bendRevisionInfo, bendTreeEntries, bentNextPage, padded } from './hostile.js';
import { repoKey, type RepoStore, type StoredRepo, type StoredRevision } from './repo-store.js';
import {
  decodedSegments,
  queryOf,
  sendFaultStatus,
  sendHubError,
  sendJson,
  sendRedirect,
  sendSmall,
} from './responses.js';
import type { HostileMode, LoggedRequest } from './types.js';

/** A request after authentication: `tokenSent` is true only for the valid token (a wrong one never gets here). */
interface HubRequest {
  req: IncomingMessage;
  res: ServerResponse;
  log: LoggedRequest;
  tokenSent: boolean;
}

/** Where the repo id sits in a path: `org/name` (two segments) or a bare `name`. */
interface RepoInPath {
  id: string;
  /** The store's name for it: the id, or `datasets/{id}`. */
  key: string;
  /** Index of the first segment after the id. */
  next: number;
}

export class HubHost {
  constructor(
    private readonly baseUrl: string,
    private readonly store: RepoStore,
    private readonly faults: FaultRegistry,
    private readonly cdn: Cdn,
    private readonly token: string,
    private readonly treePageSize: number,
    private readonly hostile: () => HostileMode,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, log: LoggedRequest): Promise<void> {
    const statusFault = this.faults.takeStatus(log.path);
    if (statusFault) return sendFaultStatus(req, res, log, statusFault);
    if (req.method === 'POST' && /^\/api\/models\/.+\/paths-info\//.test(log.path)) {
      return this.handlePathsInfo(req, res, log);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendSmall(req, res, log, 405, { Allow: 'GET, HEAD' }, 'method not allowed');
    }
    // The Hub rejects a wrong token on every route, before looking at the repo.
    if (log.authorization !== null && log.authorization !== `Bearer ${this.token}`) {
      return sendHubError(req, res, log, 401, null, 'Invalid credentials in Authorization header');
    }
    const hub: HubRequest = { req, res, log, tokenSent: log.authorization !== null };
    const segments = decodedSegments(log.path);
    if (!segments) return sendSmall(req, res, log, 400, {}, 'malformed URL');
    const { raw, decoded } = segments;
    if (decoded[0] === 'api' && decoded[1] === 'models') return this.handleApi(hub, raw, decoded, 'model');
    if (decoded[0] === 'api' && decoded[1] === 'datasets') return this.handleApi(hub, raw, decoded, 'dataset');
    // Datasets' files are under /datasets/{id}/resolve/… (file_download.hf_hub_url).
    const type = decoded[0] === 'datasets' ? 'dataset' : 'model';
    const repoAt = type === 'dataset' ? 1 : 0;
    const repo = this.findRepo(decoded, repoAt, type, 'resolve');
    if (repo && decoded[repo.next] === 'resolve' && decoded.length >= repo.next + 3) {
      return this.handleResolve(hub, raw, decoded, repo, repoAt);
    }
    return sendSmall(req, res, log, 404, { 'Content-Type': 'text/plain' }, 'Not Found');
  }

  /** `{id}` at `at`: prefers a known id, then the reading where `keyword` (or the end) follows the id. */
  private findRepo(
    decoded: string[],
    at: number,
    type: 'model' | 'dataset',
    ...keywords: (string | undefined)[]
  ): RepoInPath | null {
    const one = decoded[at];
    const two = decoded[at + 1] !== undefined ? `${one}/${decoded[at + 1]}` : undefined;
    if (one === undefined || one === '') return null;
    const found = (id: string, next: number): RepoInPath => ({ id, key: repoKey(type, id), next });
    if (two !== undefined && this.store.has(repoKey(type, two))) return found(two, at + 2);
    if (this.store.has(repoKey(type, one))) return found(one, at + 1);
    if (two !== undefined && keywords.includes(decoded[at + 2])) return found(two, at + 2);
    return found(one, at + 1);
  }

  /** Answers for a renamed, missing, private or gated repo; returns the repo when the request may go on. */
  private access(hub: HubRequest, raw: string[], repoAt: number, found: RepoInPath): StoredRepo | null {
    const { req, res, log } = hub;
    const newId = this.store.aliasOf(found.key);
    if (newId !== undefined) {
      // Renamed repo: a relative redirect on the same host (the client keeps the token).
      const rest = raw.slice(found.next);
      const location = `/${[...raw.slice(0, repoAt), ...newId.split('/').map(encodeURIComponent), ...rest].join('/')}${queryOf(log.path)}`;
      sendRedirect(req, res, log, 307, location);
      return null;
    }
    const repo = this.store.repo(found.key);
    if (!repo || (repo.private && !hub.tokenSent)) {
      // Missing and private look the same, so that private names do not leak.
      sendHubError(req, res, log, hub.tokenSent ? 404 : 401, 'RepoNotFound', 'Repository not found');
      return null;
    }
    if (repo.gated && !(repo.gatedAccessGranted && hub.tokenSent)) {
      const message = hub.tokenSent
        ? `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit ${this.baseUrl}/${repo.id} to ask for access.`
        : `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      sendHubError(req, res, log, hub.tokenSent ? 403 : 401, 'GatedRepo', message);
      return null;
    }
    return repo;
  }

  private findRevision(hub: HubRequest, repo: StoredRepo, name: string): StoredRevision | null {
    const rev = this.store.revision(repo, name);
    if (!rev) sendHubError(hub.req, hub.res, hub.log, 404, 'RevisionNotFound', `Invalid rev id: ${name}`);
    return rev ?? null;
  }

  private handleApi(hub: HubRequest, raw: string[], decoded: string[], type: 'model' | 'dataset'): void {
    const found = this.findRepo(decoded, 2, type, 'revision', 'tree', 'refs', undefined);
    if (!found) return sendSmall(hub.req, hub.res, hub.log, 404, {}, 'Not Found');
    const action = decoded[found.next];
    if (action !== undefined && action !== 'revision' && action !== 'tree' && action !== 'refs') {
      return sendSmall(hub.req, hub.res, hub.log, 404, {}, 'Not Found');
    }
    const repo = this.access(hub, raw, 2, found);
    if (!repo) return;
    const query = new URL(hub.log.path, this.baseUrl).searchParams;
    if (action === 'refs') return sendJson(hub.req, hub.res, hub.log, repoRefs(repo));
    if (action === 'tree') {
      const rev = this.findRevision(hub, repo, decoded[found.next + 1] ?? 'main');
      if (rev) this.sendTree(hub, rev, decoded.slice(found.next + 2).join('/'), query);
      return;
    }
    // The revision may arrive encoded as one segment (refs%2Fpr%2F1) or, less politely, unencoded.
    const name = action === 'revision' ? decoded.slice(found.next + 1).join('/') : 'main';
    const rev = this.findRevision(hub, repo, name);
    if (rev) {
      const info = revisionInfo(repo, rev, isTrue(query.get('blobs')));
      sendJson(hub.req, hub.res, hub.log, bendRevisionInfo(info, this.hostile()));
    }
  }

  /**
   * POST /api/models/{id}/paths-info/{revision} with a JSON body
   * {"paths": [...]}: what @huggingface/hub's downloadFileToCacheDir asks
   * first (its pathsInfo), with each entry's last commit. Public repos only.
   */
  private async handlePathsInfo(req: IncomingMessage, res: ServerResponse, log: LoggedRequest): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/api\/models\/(.+)\/paths-info\/([^/?]+)/.exec(log.path)!;
    const repo = this.store.repo(decodeURIComponent(match[1]!));
    const rev = repo === undefined ? undefined : this.store.revision(repo, decodeURIComponent(match[2]!));
    if (repo === undefined || repo.private || repo.gated || rev === undefined) {
      return sendHubError(req, res, log, 404, 'RepoNotFound', 'Repository not found');
    }
    const { paths } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { paths?: string[] };
    const wanted = new Set(paths ?? []);
    const entries = (treeEntries(rev, '', true) ?? [])
      .filter((entry) => wanted.has(entry.path))
      .map((entry) => ({ ...entry, lastCommit: { id: rev.commit, title: 'bench', date: new Date(0).toISOString() } }));
    sendJson(req, res, log, entries);
  }

  private sendTree(hub: HubRequest, rev: StoredRevision, folder: string, query: URLSearchParams): void {
    const entries = treeEntries(rev, folder, isTrue(query.get('recursive')));
    if (!entries) return sendHubError(hub.req, hub.res, hub.log, 404, 'EntryNotFound', `Entry not found: ${folder}`);
    const offset = decodeCursor(query.get('cursor'));
    if (offset === null) return sendSmall(hub.req, hub.res, hub.log, 400, {}, 'invalid cursor');
    const mode = this.hostile();
    const page = bendTreeEntries(entries.slice(offset, offset + this.treePageSize), mode);
    const headers: Record<string, string> = {};
    const thisPage = new URL(hub.log.path, this.baseUrl);
    let next: URL | null = null;
    if (offset + this.treePageSize < entries.length) {
      // Pagination as hf_api.py's paginate() follows it: an absolute URL in Link, rel="next".
      next = new URL(thisPage);
      next.searchParams.set('cursor', encodeCursor(offset + this.treePageSize));
    }
    next = bentNextPage(thisPage, next, mode);
    if (next !== null) headers['Link'] = `<${next.toString()}>; rel="next"`;
    // Padded as an object only when asked: a real tree page is a bare list.
    sendJson(hub.req, hub.res, hub.log, mode.jsonBodyBytes === undefined ? page : padded({ page }, mode), headers);
  }

  private async handleResolve(
    hub: HubRequest,
    raw: string[],
    decoded: string[],
    found: RepoInPath,
    repoAt: number,
  ): Promise<void> {
    const repo = this.access(hub, raw, repoAt, found);
    if (!repo) return;
    const rev = this.findRevision(hub, repo, decoded[found.next + 1]!);
    if (!rev) return;
    const path = decoded.slice(found.next + 2).join('/');
    const file = rev.byPath.get(path);
    const { req, res, log } = hub;
    if (!file) return sendHubError(req, res, log, 404, 'EntryNotFound', 'Entry not found');
    const name = path.split('/').pop()!;
    const headers: Record<string, string> = {
      'X-Repo-Commit': rev.commit,
      ETag: `"${file.blobId}"`,
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}";`,
    };
    if (file.lfs) {
      // LFS: 302 to a signed URL on another host, with the content's sha256 and size in X-Linked-*.
      headers['X-Linked-Etag'] = `"${file.sha256}"`;
      headers['X-Linked-Size'] = String(file.size);
      if (file.xetHash !== null) {
        // What the Hub adds for a Xet-backed file (utils/_xet.py parse_xet_file_data_from_response). The
        // token route is not served: a client without Xet follows the redirect to the bridge, as today.
        const api = `${this.baseUrl}/api/${repo.type}s/${repo.id.split('/').map(encodeURIComponent).join('/')}`;
        headers['X-Xet-Hash'] = file.xetHash;
        headers['Link'] = `<${api}/xet-read-token/${rev.commit}>; rel="xet-auth"`;
      }
      return sendRedirect(req, res, log, 302, this.cdn.signedUrl(repo.id, file), headers);
    }
    headers['Content-Type'] = name.endsWith('.json') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
    await serveFileBytes(req, res, log, file, headers, this.faults);
  }
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1' || value === 'True';
}
