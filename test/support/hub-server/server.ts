/**
 * Starts the two listeners of the test Hub, on loopback only: the Hub at
 * 127.0.0.1 and its CDN at 127.0.0.2 (another host, so that a client must
 * drop the token when it follows an LFS redirect).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Cdn } from './cdn.js';
import { FaultRegistry } from './faults.js';
import { HubHost } from './hub.js';
import { RateLimitWindows } from './rate-limit.js';
import { RepoStore } from './repo-store.js';
import type { HubServer, HubServerOptions, LoggedRequest } from './types.js';

const HUB_ADDRESS = '127.0.0.1';
const CDN_ADDRESS = '127.0.0.2';

type Handler = (req: IncomingMessage, res: ServerResponse, log: LoggedRequest) => Promise<void>;

interface Listener {
  server: Server;
  sockets: Set<Socket>;
}

function listen(
  address: string,
  host: LoggedRequest['host'],
  requests: () => LoggedRequest[],
  handler: () => Handler,
  tls: HubServerOptions['tls'],
): Promise<Listener> {
  const sockets = new Set<Socket>();
  // Connections are numbered as their first request arrives (req.socket: the TLS socket for https).
  const connectionNumbers = new WeakMap<object, number>();
  let connectionsSeen = 0;
  const connectionOf = (socket: object): number => {
    let number = connectionNumbers.get(socket);
    if (number === undefined) {
      connectionsSeen += 1;
      number = connectionsSeen;
      connectionNumbers.set(socket, number);
    }
    return number;
  };
  const serve = (listener: RequestListener): Server =>
    tls === undefined ? createServer(listener) : createTlsServer({ key: tls.key, cert: tls.cert }, listener);
  const server = serve((req, res) => {
    const log: LoggedRequest = {
      method: req.method ?? 'GET',
      host,
      path: req.url ?? '/',
      range: req.headers.range ?? null,
      authorization: req.headers.authorization ?? null,
      connection: connectionOf(req.socket),
      status: 0,
      bodyBytesSent: 0,
      receivedAt: performance.now(),
      endedAt: null,
    };
    requests().push(log);
    res.on('close', () => (log.endedAt = performance.now()));
    handler()(req, res, log).catch((error: unknown) => {
      // A bug in the test server must show up in the test, not hang it.
      console.error(`test Hub (${host}) failed on ${log.method} ${log.path}:`, error);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        log.status = 500;
      }
      res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      server.off('error', reject);
      resolve({ server, sockets });
    });
  });
}

function stop({ server, sockets }: Listener): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}

function urlOf({ server }: Listener, address: string, secure: boolean): string {
  return `${secure ? 'https' : 'http'}://${address}:${(server.address() as AddressInfo).port}`;
}

export async function startHubServer(options: HubServerOptions = {}): Promise<HubServer> {
  const store = new RepoStore();
  const faults = new FaultRegistry();
  const token = options.token ?? 'hf_test_token';
  for (const repo of options.repos ?? []) store.addRepo(repo);
  const rateLimits = new RateLimitWindows();
  rateLimits.set(options.rateLimit ?? null);

  // The handlers need both URLs, known only once both listen: they are looked up per request.
  let hubHost: HubHost | null = null;
  let cdn: Cdn | null = null;
  const requests: LoggedRequest[] = [];
  const hubListener = await listen(
    HUB_ADDRESS,
    'hub',
    () => requests,
    () => (req, res, log) => (rateLimits.admit(req, res, log) ? hubHost!.handle(req, res, log) : Promise.resolve()),
    options.tls,
  );
  const cdnListener = await listen(
    CDN_ADDRESS,
    'cdn',
    () => requests,
    () => cdn!.handle.bind(cdn),
    options.tls,
  ).catch(async (error: unknown) => {
    await stop(hubListener);
    throw error;
  });
  const url = urlOf(hubListener, HUB_ADDRESS, options.tls !== undefined);
  const cdnUrl = urlOf(cdnListener, CDN_ADDRESS, options.tls !== undefined);
  cdn = new Cdn(cdnUrl, store, faults, options.cdnUrlTtlSeconds ?? 3600);
  let hostile = options.hostile ?? {};
  hubHost = new HubHost(url, store, faults, cdn, token, options.treePageSize ?? 1000, () => hostile);

  const server: HubServer = {
    url,
    cdnUrl,
    token,
    requests,
    addRepo: (repo) => store.addRepo(repo),
    moveBranch: (repoId, branch, files) => store.moveBranch(repoId, branch, files),
    addAlias: (oldId, newId) => store.addAlias(oldId, newId),
    commitOf: (repoId, revision) => store.lookup(repoId, revision).rev.commit,
    fileInfo: (repoId, revision, path) => {
      const { size, lfs, blobId, sha256, etag, pointerSize, xetHash } = store.lookup(repoId, revision, path).file!;
      return { size, lfs, blobId, sha256, etag, pointerSize, xetHash };
    },
    resolveUrl: (repoId, revision, path) =>
      `${url}/${repoId}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`,
    clearLog: () => {
      requests.length = 0;
    },
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setHostile: (mode) => {
      hostile = mode;
    },
    setRateLimit: (spec) => rateLimits.set(spec),
    close: async () => {
      await Promise.all([stop(hubListener), stop(cdnListener)]);
    },
  };
  return server;
}
