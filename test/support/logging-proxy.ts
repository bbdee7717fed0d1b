/**
 * A real forward proxy for tests: the npm `proxy` package (absolute-form
 * http requests and CONNECT tunnels, optional Basic authentication), with a
 * log of every request it carries and of the Proxy-Authorization it got.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy, type ProxyServer } from 'proxy';

export interface LoggingProxy {
  url: string;
  log: string[];
  /** Proxy-Authorization headers it received. */
  credentials: string[];
  close(): Promise<void>;
}

export async function startProxy(requireBasic?: string): Promise<LoggingProxy> {
  const log: string[] = [];
  const credentials: string[] = [];
  const server: ProxyServer = createProxy(createServer());
  const note = (req: IncomingMessage): void => {
    const header = req.headers['proxy-authorization'];
    if (header !== undefined) credentials.push(header);
  };
  if (requireBasic !== undefined) {
    server.authenticate = (req) =>
      req.headers['proxy-authorization'] === `Basic ${Buffer.from(requireBasic).toString('base64')}`;
  }
  server.on('request', (req: IncomingMessage) => {
    note(req);
    log.push(`${req.method ?? '?'} ${req.url ?? ''}`);
  });
  server.on('connect', (req: IncomingMessage) => {
    note(req);
    log.push(`CONNECT ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    credentials,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
