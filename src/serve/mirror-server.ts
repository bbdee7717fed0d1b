/**
 * The mirror's HTTP listener: the Hub's read API over the cache, for
 * `hfsched serve` and for the daemon when `serve.listen` is set. It only
 * reads the database and the cache; it never asks the Hub for anything,
 * so a client asking for what is not there cannot make it fetch.
 *
 * Limits: MIRROR_LIMITS (open connections, header, request, keep-alive and
 * idle timeouts), and a paths-info body of at most MAX_BODY_BYTES.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { OperationalError } from '../errors.js';
import { TokenGate } from './access.js';
import { answerFile } from './file-answer.js';
import {
  entryNotFound,
  repoNotFound,
  revisionNotFound,
  sendHubError,
  type HubError,
  type HubErrorCode,
} from './hub-errors.js';
import { pathsInfo, repoInfo, repoRefs, treeEntries } from './hub-json.js';
import { MirrorMetrics } from './mirror-metrics.js';
import { ReadBufferBudget } from './read-buffers.js';
import { queryFlag, routeOf, type RepoRoute, type RouteName } from './mirror-routes.js';
import { ServedRepos, type ServedRepo, type ServedStore } from './served-repos.js';

/** What clients may hold of the mirror (docs/serve.md, "Limits"). */
export interface MirrorLimits {
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: number;
  /** A request's head must arrive within this. */
  headersTimeoutMs: number;
  /** A whole request (head and paths-info body) must arrive within this. */
  requestTimeoutMs: number;
  /** A kept-alive connection with no request is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection where nothing moves (a client that stopped reading) is closed after this. */
  idleTimeoutMs: number;
  /** How often the header and request timeouts are checked (Node's default, 30 s, would double them). */
  checkIntervalMs: number;
}

export const MIRROR_LIMITS: Readonly<MirrorLimits> = {
  maxConnections: 256,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
};

export const MAX_BODY_BYTES = 1024 * 1024;
/** Entries per page of a tree listing, as the Hub pages it. */
export const TREE_PAGE_SIZE = 1000;

/** The settings the mirror reads at each request (they may change while it serves). */
export interface MirrorSettings {
  cacheDir: string;
  expose: readonly string[];
  tokensFile: string | null;
}

export interface MirrorOptions {
  host: string;
  port: number;
  store: ServedStore;
  settings: () => MirrorSettings;
  /** Where the counters go; with `serveMetrics`, the mirror also answers GET /metrics from it. */
  registry: Registry;
  serveMetrics: boolean;
  /** Unexpected failures and unreadable token files. */
  onProblem: (message: string, error?: unknown) => void;
  /** Entries per tree page (tests); default TREE_PAGE_SIZE. */
  treePageSize?: number;
  /** Other limits than MIRROR_LIMITS (tests, which cannot wait seconds for a timeout). */
  limits?: Partial<MirrorLimits>;
}

export interface Mirror {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  host: string;
  port: number;
  metrics: MirrorMetrics;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(readonly hubError: HubError) {
    super(hubError.message);
  }
}

/** The client left, or was timed out, before its request was whole: nothing to answer and nothing to report. */
class ClientGone extends Error {}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null): number | null {
  if (cursor === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match === null ? null : Number(match[1]);
}

/** The URL a client reached us by, for the tree's next-page link (behind a TLS proxy: X-Forwarded-Proto). */
function publicOrigin(request: IncomingMessage, fallbackHost: string): string {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = forwarded === 'https' ? 'https' : 'http';
  const host = request.headers.host;
  return `${proto}://${host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : fallbackHost}`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new Refusal({ status: 413, code: 'BadRequest', message: `the request body is over ${MAX_BODY_BYTES} bytes` }),
        );
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => reject(new ClientGone('the request ended before its body was whole')));
  });
}

/** paths-info's body: JSON (@huggingface/hub) or a form with repeated `paths` (huggingface_hub). */
function parsePathsBody(text: string, contentType: string | undefined): { paths: string[]; expand: boolean } {
  const bad = new Refusal({
    status: 400,
    code: 'BadRequest',
    message: 'paths-info expects {"paths": [...]} or paths=... form fields',
  });
  if ((contentType ?? '').includes('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw bad;
    }
    const body = json as { paths?: unknown; expand?: unknown };
    const paths = typeof body.paths === 'string' ? [body.paths] : body.paths;
    if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) throw bad;
    return { paths: paths as string[], expand: body.expand === true };
  }
  const form = new URLSearchParams(text);
  return { paths: form.getAll('paths'), expand: /^(true|1)$/i.test(form.get('expand') ?? '') };
}

function sendJson(
  response: ServerResponse,
  value: unknown,
  headOnly: boolean,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(headOnly ? undefined : body);
}

export class MirrorHandler {
  readonly repos: ServedRepos;
  private readonly tokens: TokenGate;
  readonly metrics: MirrorMetrics;
  private readonly readBuffers = new ReadBufferBudget();

  constructor(
    private readonly options: MirrorOptions,
    private readonly listenHost: string,
  ) {
    this.repos = new ServedRepos(options.store, () => options.settings().expose);
    this.tokens = new TokenGate(
      () => options.settings().tokensFile,
      (message) => options.onProblem(message),
    );
    this.metrics = new MirrorMetrics(options.registry);
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    let routeName: RouteName = 'other';
    let errorCode: HubErrorCode | null = null;
    response.on('finish', () => this.metrics.answered(routeName, response.statusCode, errorCode));
    const headOnly = request.method === 'HEAD';
    const work = async (): Promise<void> => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') {
        response.writeHead(405, { allow: 'GET, HEAD, POST', 'content-length': 0 });
        response.end();
        return;
      }
      if (!this.tokens.allows(request.headers.authorization)) {
        throw new Refusal({
          status: 401,
          code: null,
          message: 'Invalid credentials: this mirror asks for one of its tokens (Authorization: Bearer ...)',
        });
      }
      const route = routeOf(request.method, request.url ?? '/');
      if (route.name === 'bad-request') throw new Refusal({ status: 400, code: 'BadRequest', message: route.message });
      if (route.name === 'metrics' && this.options.serveMetrics) {
        routeName = 'metrics';
        const body = await this.options.registry.metrics();
        response.writeHead(200, {
          'content-type': this.options.registry.contentType,
          'content-length': Buffer.byteLength(body),
        });
        response.end(headOnly ? undefined : body);
        return;
      }
      if (route.name !== 'repo') {
        routeName = route.name === 'other-api' ? 'other-api' : 'other';
        throw new Refusal({
          status: 404,
          code: 'EndpointNotFound',
          message: 'this route is not served by this mirror (a read-only mirror of the Hub)',
        });
      }
      routeName = route.readings[0]!.name;
      const found = this.findRepo(route.readings);
      routeName = found.reading.name;
      await this.answer(request, response, found.reading, found.repo, headOnly);
    };
    work().catch((error: unknown) => {
      if (error instanceof ClientGone) {
        response.destroy();
        return;
      }
      if (error instanceof Refusal) {
        errorCode = error.hubError.code;
        if (!response.headersSent) sendHubError(response, error.hubError, headOnly);
        else response.destroy();
        return;
      }
      this.options.onProblem('mirror request failed', error);
      if (!response.headersSent)
        sendHubError(response, { status: 500, code: null, message: 'internal error' }, headOnly);
      else response.destroy();
    });
  }

  private findRepo(readings: RepoRoute[]): { reading: RepoRoute; repo: ServedRepo } {
    for (const reading of readings) {
      const repo = this.repos.find(reading.repoType, reading.repoId);
      if (repo !== null) return { reading, repo };
    }
    throw new Refusal(repoNotFound(readings[0]!.repoId));
  }

  private async answer(
    request: IncomingMessage,
    response: ServerResponse,
    reading: RepoRoute,
    repo: ServedRepo,
    headOnly: boolean,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://mirror.invalid');
    if (reading.name === 'refs') {
      sendJson(response, repoRefs(repo), headOnly);
      return;
    }
    const commit = ServedRepos.commitFor(repo, reading.revision);
    if (commit === null) throw new Refusal(revisionNotFound(repo.repoId, reading.revision ?? 'main'));
    switch (reading.name) {
      case 'repo-info':
        sendJson(response, repoInfo(repo, queryFlag(url, 'blobs')), headOnly);
        return;
      case 'paths-info': {
        const body = parsePathsBody(await readBody(request), request.headers['content-type']);
        sendJson(response, pathsInfo(repo, body.paths, body.expand), headOnly);
        return;
      }
      case 'tree': {
        const entries = treeEntries(
          repo,
          reading.path.replace(/\/+$/, ''),
          queryFlag(url, 'recursive'),
          queryFlag(url, 'expand'),
        );
        if (entries === null) throw new Refusal(entryNotFound(reading.path, commit));
        const offset = decodeCursor(url.searchParams.get('cursor'));
        if (offset === null) throw new Refusal({ status: 400, code: 'BadRequest', message: 'invalid cursor' });
        const pageSize = this.options.treePageSize ?? TREE_PAGE_SIZE;
        const page = entries.slice(offset, offset + pageSize);
        const headers: Record<string, string> = {};
        if (offset + pageSize < entries.length) {
          // Later pages name the commit: a listing stays one commit's even if the branch moves meanwhile.
          const next = new URL(url.pathname, publicOrigin(request, this.listenHost));
          const prefix = repo.repoType === 'dataset' ? 'datasets' : 'models';
          const folder = reading.path === '' ? '' : `/${reading.path.split('/').map(encodeURIComponent).join('/')}`;
          next.pathname = `/api/${prefix}/${repo.repoId}/tree/${commit}${folder}`;
          for (const [key, value] of url.searchParams) if (key !== 'cursor') next.searchParams.append(key, value);
          next.searchParams.set('cursor', encodeCursor(offset + pageSize));
          headers.link = `<${next.href}>; rel="next"`;
        }
        sendJson(response, page, headOnly, headers);
        return;
      }
      case 'resolve': {
        const file = repo.byPath.get(reading.path);
        if (file === undefined) throw new Refusal(entryNotFound(reading.path, commit));
        await answerFile(request, response, {
          cacheDir: this.options.settings().cacheDir,
          repo,
          file,
          onBytes: (count) => this.metrics.sent(count),
          readBuffers: this.readBuffers,
        });
        return;
      }
    }
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(
        new OperationalError(
          `cannot serve the mirror on ${host}:${port}: ${error.code ?? error.message}; choose another address with --listen or "hfsched config set serve.listen HOST:PORT"`,
          { cause: error },
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startMirror(options: MirrorOptions): Promise<Mirror> {
  const handler = new MirrorHandler(options, `${options.host}:${options.port}`);
  const limits = { ...MIRROR_LIMITS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (request, response) => handler.handle(request, response),
  );
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    metrics: handler.metrics,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
