/**
 * The optional HTTP listener (settings `http.port`, `http.host`):
 *   GET /healthz  200 when the daemon loop is alive and the database answers, else 503
 *   GET /metrics  Prometheus text format
 * Anything else is 404. It only reads; it never changes the daemon.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperationalError } from '../errors.js';
import type { DaemonMetrics } from './metrics.js';

export interface HealthReport {
  healthy: boolean;
  /** One entry per check, e.g. { loop: 'ok', database: 'ok' } or the problem. */
  checks: Record<string, string>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  health: () => HealthReport;
  metrics: Pick<DaemonMetrics, 'text' | 'contentType'>;
  onError: (error: unknown) => void;
}

export interface HealthServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/**
 * What one client may hold. A probe or a scrape sends a few hundred bytes and
 * gets its answer in milliseconds, so a connection that has not sent its
 * headers within seconds, or sits idle, is a stuck or hostile client: Node's
 * defaults (60 s for the headers, checked every 30 s, and no cap on
 * connections) let 3,000 half-sent requests be held for a minute.
 */
export const HEALTH_LISTENER_LIMITS = {
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: 64,
  /** A request's headers must arrive within this. */
  headersTimeoutMs: 5_000,
  /** A whole request must arrive within this. */
  requestTimeoutMs: 10_000,
  /** A kept-alive connection with no request is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** How often the timeouts above are checked. */
  checkIntervalMs: 1_000,
} as const;

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const limits = HEALTH_LISTENER_LIMITS;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (request, response) => {
      handle(request, response, options).catch((error: unknown) => {
        options.onError(error);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // An idle socket (nothing sent, nothing to answer) is closed too.
  server.setTimeout(limits.requestTimeoutMs, (socket) => socket.destroy());
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => closeServer(server),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    response.end('method not allowed\n');
    return;
  }
  if (path === '/healthz') {
    const report = options.health();
    response.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(`${JSON.stringify({ status: report.healthy ? 'ok' : 'unhealthy', checks: report.checks })}\n`);
    return;
  }
  if (path === '/metrics') {
    const body = await options.metrics.text();
    response.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
    response.end(body);
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found: try /healthz or /metrics\n');
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(
        new OperationalError(
          `cannot listen on ${host}:${port} for health and metrics: ${error.code ?? error.message}; ` +
            'choose another port with "hfsched config set http.port <port>", or 0 to turn the listener off',
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections from a scraper would otherwise hold close() open.
    server.closeAllConnections();
  });
}
