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
import { readFileSync } from 'node:fs';
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

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ValidationError(`${what} ${path} cannot be read (${reason}); give a PEM file of certificates`);
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
