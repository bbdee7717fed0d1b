/**
 * Which proxy, if any, a request goes through: pure functions over the
 * environment and the `hub.proxy` setting, with curl's rules
 * (https://curl.se/docs/manpage.html#ENVIRONMENT, `--noproxy`):
 *
 * - `https_proxy` for https URLs, `http_proxy` for http URLs, `all_proxy`
 *   for both when the specific one is unset; each also in upper case (the
 *   lower-case one wins when both are set, as in curl and Python's requests).
 *   hfsched is not a CGI program, so upper-case HTTP_PROXY cannot be set by a
 *   request header ("httpoxy") and is honoured like the others.
 * - `no_proxy` / `NO_PROXY`: a comma-separated list of host names (each also
 *   matches its subdomains; a leading dot is optional), IP addresses, CIDR
 *   ranges (10.0.0.0/8, fd00::/8), optionally with `:port`, or `*` for all.
 *   Names are compared as written in the URL: nothing is resolved.
 * - No implicit bypass: localhost and 127.0.0.1 go through the proxy unless
 *   `no_proxy` lists them, as in curl.
 * - The `hub.proxy` setting, when set, replaces the *_proxy variables: a
 *   proxy URL for every request, or `direct` for none. `no_proxy` still applies.
 */
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../../errors.js';

export interface ProxyConfig {
  /** Proxy for https URLs, or null. */
  https: URL | null;
  /** Proxy for http URLs, or null. */
  http: URL | null;
  noProxy: NoProxyRule[];
}

type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; name: string; port: number | null }
  | { kind: 'address'; block: BlockList; port: number | null };

/** `hub.proxy` value that turns every proxy off, whatever the environment says. */
export const DIRECT = 'direct';

/** The lower-case variable, else the upper-case one; empty counts as unset. */
function variable(env: NodeJS.ProcessEnv, name: string): string | null {
  for (const key of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[key]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return null;
}

/**
 * A proxy URL as curl takes it: `host:port` means http://host:port; http and
 * https proxies are supported; credentials may be in it. `source` names
 * where it came from, for the error.
 */
export function parseProxyUrl(text: string, source: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ValidationError(`${source} is not a proxy URL; expected http://host:port (credentials allowed)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(
      `${source} uses ${url.protocol.replace(':', '')}://, which hfsched does not support; use an http:// or https:// proxy`,
    );
  }
  if (url.hostname === '') throw new ValidationError(`${source} has no host; expected http://host:port`);
  return url;
}

/** The URL with its password (and user name) hidden: what logs and errors may show. */
export function redactProxyUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.origin;
  return `${url.protocol}//***@${url.host}`;
}

function splitPort(entry: string): { host: string; port: number | null } {
  // [v6]:port, v4:port, name:port; a bare IPv6 address has several colons and no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] ? Number(bracketed[2]) : null };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1] ?? '', port: Number(withPort[2]) };
  return { host: entry, port: null };
}

function addressRule(host: string, port: number | null): NoProxyRule | null {
  const [address = '', prefixText] = host.split('/');
  const family = isIP(address);
  if (family === 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return null;
  const block = new BlockList();
  block.addSubnet(address, prefix, type);
  return { kind: 'address', block, port };
}

/** `no_proxy` entries; unreadable ones are skipped, as curl does. */
export function parseNoProxy(text: string | null): NoProxyRule[] {
  if (text === null) return [];
  const rules: NoProxyRule[] = [];
  for (const raw of text.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') {
      rules.push({ kind: 'all' });
      continue;
    }
    const { host, port } = splitPort(entry);
    const address = addressRule(host, port);
    if (address !== null) rules.push(address);
    else if (!host.includes('/')) {
      const name = host.replace(/^\*?\./, '').replace(/\.$/, '');
      if (name !== '') rules.push({ kind: 'domain', name, port });
    }
  }
  return rules;
}

function defaultPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether `no_proxy` sends this URL direct. */
export function bypassesProxy(url: URL, rules: readonly NoProxyRule[]): boolean {
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  const port = defaultPort(url);
  const family = isIP(host);
  return rules.some((rule) => {
    if (rule.kind === 'all') return true;
    if (rule.port !== null && rule.port !== port) return false;
    if (rule.kind === 'address') return family !== 0 && rule.block.check(host, family === 4 ? 'ipv4' : 'ipv6');
    return family === 0 && (host === rule.name || host.endsWith(`.${rule.name}`));
  });
}

/**
 * The proxy settings in force: `hub.proxy` (`setting`, empty when unset)
 * over the environment. ValidationError for a proxy URL that cannot be used.
 */
export function readProxyConfig(env: NodeJS.ProcessEnv, setting = ''): ProxyConfig {
  const noProxy = parseNoProxy(variable(env, 'no_proxy'));
  const chosen = setting.trim();
  if (chosen.toLowerCase() === DIRECT) return { https: null, http: null, noProxy };
  if (chosen !== '') {
    const proxy = parseProxyUrl(chosen, 'setting hub.proxy');
    return { https: proxy, http: proxy, noProxy };
  }
  const all = variable(env, 'all_proxy');
  const https = variable(env, 'https_proxy') ?? all;
  const http = variable(env, 'http_proxy') ?? all;
  return {
    https: https === null ? null : parseProxyUrl(https, 'HTTPS_PROXY (or ALL_PROXY)'),
    http: http === null ? null : parseProxyUrl(http, 'HTTP_PROXY (or ALL_PROXY)'),
    noProxy,
  };
}

/** The proxy for one request URL, or null for a direct connection. */
export function proxyForUrl(url: URL, config: ProxyConfig): URL | null {
  const proxy = url.protocol === 'https:' ? config.https : config.http;
  if (proxy === null || bypassesProxy(url, config.noProxy)) return null;
  return proxy;
}
