/**
 * The undici dispatcher that carries every Hub and CDN request: direct, or
 * through the proxy that proxy-config.ts chooses for the request's origin.
 *
 * - https targets go through a CONNECT tunnel: the proxy sees the host and
 *   port, never the path, the headers (the token) or the bytes;
 * - plain http targets are forwarded in absolute form, as curl does: the
 *   proxy sees everything, the token included (docs/proxies.md);
 * - the proxy's credentials travel only in Proxy-Authorization to the proxy
 *   itself, never to the Hub, and are never shown (redactProxyUrl);
 * - `hub.ca_bundle` adds certificate authorities to the bundled ones, for
 *   the Hub, the CDN and an https proxy alike. Giving undici a CA list
 *   replaces Node's store, which is where NODE_EXTRA_CA_CERTS went, so that
 *   file is added back here.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, Dispatcher, ProxyAgent } from 'undici';
import { ValidationError } from '../errors.js';
import { proxyForUrl, readProxyConfig, redactProxyUrl, type ProxyConfig } from './proxy-config.js';

export interface HubNetworkOptions {
  env: NodeJS.ProcessEnv;
  /** The `hub.proxy` setting: '' (the environment), 'direct', or a proxy URL. */
  proxySetting: string;
  /** The `hub.ca_bundle` setting: a PEM file, or null. */
  caBundlePath: string | null;
  /** Connection pooling of every agent (keep-alive and the like). */
  agentOptions?: Agent.Options;
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

/** Routes each request to the direct agent or to the agent of its proxy. */
export class HubDispatcher extends Dispatcher {
  readonly proxy: ProxyConfig;
  private readonly direct: Agent;
  private readonly viaProxy = new Map<string, ProxyAgent>();
  private readonly ca: string[] | undefined;
  private readonly agentOptions: Agent.Options;

  constructor(options: HubNetworkOptions) {
    super();
    this.proxy = readProxyConfig(options.env, options.proxySetting);
    this.ca = trustedCertificates(options);
    this.agentOptions = options.agentOptions ?? {};
    this.direct = new Agent({ ...this.agentOptions, ...(this.ca ? { connect: { ca: this.ca } } : {}) });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    const proxy = proxyForUrl(origin, this.proxy);
    return (proxy === null ? this.direct : this.agentFor(proxy)).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...[...this.viaProxy.values()].map((agent) => agent.close())]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.direct.destroy(), ...[...this.viaProxy.values()].map((agent) => agent.destroy())]);
  }

  /**
   * For a direct route to `url`, the TLS trust to connect with (bulk-get.ts
   * makes its own connections); null when `url` goes through a proxy.
   */
  directRoute(url: URL): { ca: string[] | undefined } | null {
    return proxyForUrl(url, this.proxy) === null ? { ca: this.ca } : null;
  }

  /** What a log line may say about the route of `url`: "direct" or the proxy without credentials. */
  describeRoute(url: URL): string {
    const proxy = proxyForUrl(url, this.proxy);
    return proxy === null ? 'direct' : `via proxy ${redactProxyUrl(proxy)}`;
  }

  private agentFor(proxy: URL): ProxyAgent {
    const key = proxy.href;
    let agent = this.viaProxy.get(key);
    if (agent === undefined) {
      // The URL given to undici carries no credentials; they go in the token alone.
      const user = decodeURIComponent(proxy.username);
      const password = decodeURIComponent(proxy.password);
      const tls = this.ca ? { ca: this.ca } : undefined;
      agent = new ProxyAgent({
        ...this.agentOptions,
        uri: `${proxy.protocol}//${proxy.host}`,
        ...(user !== '' || password !== ''
          ? { token: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
          : {}),
        // Plain http is forwarded as curl does; https always tunnels.
        proxyTunnel: false,
        ...(tls ? { requestTls: tls, proxyTls: tls } : {}),
      });
      this.viaProxy.set(key, agent);
    }
    return agent;
  }
}
