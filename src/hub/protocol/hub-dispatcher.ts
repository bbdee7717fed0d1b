/**
 * The undici dispatcher that carries every Hub and CDN request: direct, or
 * through the proxy that the HubNetwork (hub-network.ts) chooses for the
 * request's origin.
 *
 * - https targets go through a CONNECT tunnel: the proxy sees the host and
 *   port, never the path, the headers (the token) or the bytes;
 * - plain http targets are forwarded in absolute form, as curl does: the
 *   proxy sees everything, the token included (docs/proxies.md);
 * - the proxy's credentials go in Proxy-Authorization to the proxy alone;
 * - the network's CAs are trusted for the Hub, the CDN and an https proxy alike.
 */
import { Agent, Dispatcher, ProxyAgent } from 'undici';
import { HubNetwork } from './hub-network.js';

/** Routes each request to the direct agent or to the agent of its proxy. */
export class HubDispatcher extends Dispatcher {
  private readonly direct: Agent;
  private readonly viaProxy = new Map<string, ProxyAgent>();
  private readonly ca: string[] | undefined;

  /** @param agentOptions connection pooling of every agent (keep-alive and the like) */
  constructor(
    readonly network: HubNetwork,
    private readonly agentOptions: Agent.Options = {},
  ) {
    super();
    this.ca = network.ca;
    this.direct = new Agent({ ...this.agentOptions, ...(this.ca ? { connect: { ca: this.ca } } : {}) });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin));
    const proxy = this.network.proxyFor(origin);
    return (proxy === null ? this.direct : this.agentFor(proxy)).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...[...this.viaProxy.values()].map((agent) => agent.close())]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.direct.destroy(), ...[...this.viaProxy.values()].map((agent) => agent.destroy())]);
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
