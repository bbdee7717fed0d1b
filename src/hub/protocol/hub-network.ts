/**
 * The network settings every Hub and CDN request follows: the proxy that
 * proxy-config.ts chooses for a request's origin (or none), and the
 * certificate authorities to trust.
 *
 * - the proxy's credentials travel only in Proxy-Authorization to the proxy
 *   itself, never to the Hub, and are never shown (redactProxyUrl);
 * - `hub.ca_bundle` adds certificate authorities to the bundled ones, for
 *   the Hub, the CDN and an https proxy alike. Giving a CA list to a TLS
 *   connection replaces Node's store, which is where NODE_EXTRA_CA_CERTS
 *   went, so that file is added back here.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ValidationError } from '../../errors.js';
import { proxyForUrl, readProxyConfig, redactProxyUrl, type ProxyConfig } from './proxy-config.js';

export interface HubNetworkOptions {
  env: NodeJS.ProcessEnv;
  /** The `hub.proxy` setting: '' (the environment), 'direct', or a proxy URL. */
  proxySetting: string;
  /** The `hub.ca_bundle` setting: a PEM file, or null. */
  caBundlePath: string | null;
}

/**
 * Far above any real bundle (the system's whole store is about 0.2 MiB), far
 * below what would hurt: the file is read on the main thread.
 */
export const MAX_PEM_BYTES = 8 * 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * A PEM file, read whole only once fstat says it is a regular file of a sane
 * size. Opened with O_NONBLOCK: a FIFO would otherwise block the open, and
 * the main thread with it (the daemon's health stayed "ok" while it hung, and
 * SIGTERM could not stop it); /dev/zero would be read until memory ran out.
 */
function readPem(path: string, what: string): string {
  const cannot = (reason: string): ValidationError =>
    new ValidationError(`${what} ${path} cannot be read (${reason}); give a PEM file of certificates`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw cannot((error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw cannot(`it is ${kindOf(stats)}`);
    if (stats.size > MAX_PEM_BYTES)
      throw cannot(`${stats.size} bytes, over the ${MAX_PEM_BYTES / 1024 / 1024} MiB a bundle may hold`);
    // One byte more than fstat said: a file that grows meanwhile is still bounded.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytes = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytes === 0) break;
      length += bytes;
    }
    if (length > stats.size) throw cannot('it grew while being read');
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw cannot((error as NodeJS.ErrnoException).code ?? String(error));
  } finally {
    closeSync(fd);
  }
}

/** The CA list for TLS, or undefined to keep Node's default store. */
function trustedCertificates(options: HubNetworkOptions): string[] | undefined {
  if (options.caBundlePath === null) return undefined;
  const bundle = readPem(options.caBundlePath, 'hub.ca_bundle');
  if (!bundle.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ValidationError(`hub.ca_bundle ${options.caBundlePath} holds no PEM certificate`);
  }
  const extra = options.env.NODE_EXTRA_CA_CERTS;
  const fromNode = extra !== undefined && extra !== '' ? [readPem(extra, 'NODE_EXTRA_CA_CERTS')] : [];
  return [...rootCertificates, ...fromNode, bundle];
}

/** Proxies and trusted CAs, read once; ValidationError for a proxy URL or CA file that cannot be used. */
export class HubNetwork {
  readonly proxy: ProxyConfig;
  /** The CA list for TLS, or undefined for Node's default store. */
  readonly ca: string[] | undefined;

  constructor(options: HubNetworkOptions) {
    this.proxy = readProxyConfig(options.env, options.proxySetting);
    this.ca = trustedCertificates(options);
  }

  /** The proxy `url` goes through, or null for a direct connection. */
  proxyFor(url: URL): URL | null {
    return proxyForUrl(url, this.proxy);
  }

  /** What a log line may say about the route of `url`: "direct" or the proxy without credentials. */
  describeRoute(url: URL): string {
    const proxy = this.proxyFor(url);
    return proxy === null ? 'direct' : `via proxy ${redactProxyUrl(proxy)}`;
  }
}
