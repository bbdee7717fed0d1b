/**
 * One HTTP exchange with the Hub, as the official clients do it
 * (huggingface_hub/utils/_http.py, file_download.py): `Accept-Encoding:
 * identity` so sizes are real byte counts, our User-Agent, the token as
 * `Authorization: Bearer` only for the endpoint's own origin, and redirects
 * followed by hand: a relative one (307 to another Hub path) keeps the token;
 * one to another host (302 to the CDN for LFS files) does not, as `requests`
 * drops Authorization when the host changes. The body is returned as a stream,
 * with a stall watchdog still armed, so the caller reads it at its own pace.
 */
import { getEventListeners } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { BulkConnectionPool, BulkUnsupportedError, bulkGet } from './bulk-get.js';
import { ProxyError, TransferError } from '../errors.js';
import { HubNetwork, type HubNetworkOptions } from './hub-network.js';
import { redactProxyUrl } from './proxy-config.js';
import { HubRateLimiter } from './rate-limit.js';
import { StallWatchdog } from './stall-watchdog.js';
import { USER_AGENT } from './user-agent.js';

const MAX_REDIRECTS = 10;
/** Controllers kept for reuse (see sendOnce): more than the files and lanes running at once is no use. */
const MAX_IDLE_CONTROLLERS = 64;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HubRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  /** Extra headers (Range). */
  headers?: Record<string, string>;
  token: string | null;
  /** The only origin the token may be sent to: the endpoint's. */
  tokenOrigin: string;
  stallTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A response body, a piece at a time. A piece may live in a reused read
 * buffer (bulk-get.ts): it is valid until the next one is asked for, so a
 * reader copies what it keeps.
 */
export interface ResponseBody extends AsyncIterable<Buffer> {
  /** Reads and drops the rest, so that the connection can serve another request. */
  drain(): void;
}

export interface HubResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Where the answer came from, after redirects. */
  url: URL;
  /** True when the answer came from the endpoint's origin (not a CDN). */
  fromTokenOrigin: boolean;
  body: ResponseBody;
  /** Still armed: touch() it per chunk, pause() it around your own waits, stop() it when done. */
  watchdog: StallWatchdog;
  /** Drops the connection (the rest of the body is not wanted). */
  discard(): void;
}

interface UndiciTransport {
  dispatcher: Dispatcher;
  request: typeof import('undici').request;
}

const AGENT_OPTIONS = { keepAliveTimeout: 4000 };

/**
 * Every request to the Hub and its CDN goes through one of these, owned by
 * a HubRuntime (hub-runtime.ts): the network settings, both transports'
 * kept-alive connections, the origins that bulk-get.ts does not read, and
 * the rate limiter (rate-limit.ts).
 *
 * Two transports. A direct connection goes through bulk-get.ts, our lean
 * HTTP/1.1 client: it reads a file's bytes with a third of undici's CPU
 * (bench/) and needs no extra module. A request through a proxy, or an
 * answer bulk-get.ts does not read, goes through undici's HubDispatcher
 * (hub-dispatcher.ts), loaded on first use: undici costs about 20 MiB of
 * memory and 30 ms of start-up, which a direct download never pays.
 * Until useNetwork is called, the environment's proxy variables apply.
 */
export class HubHttpClient {
  /** Every request to the endpoint waits its turn here, and every answer of the endpoint is read by it. */
  readonly rateLimiter: HubRateLimiter;
  private readonly bulk = new BulkConnectionPool();
  private network: HubNetwork | null = null;
  private networkKey: string | null = null;
  private undici: Promise<UndiciTransport> | null = null;
  /** Origins that gave an answer bulk-get.ts does not read: undici serves them from then on. */
  private readonly bulkRefused = new Set<string>();
  /** Controllers of exchanges that ended cleanly, never aborted, that nothing listens to any more. */
  private readonly idleControllers: AbortController[] = [];

  constructor(options: { rateLimiter?: HubRateLimiter } = {}) {
    this.rateLimiter = options.rateLimiter ?? new HubRateLimiter();
  }

  /**
   * Proxies and certificate authorities for every later request: the
   * environment's *_PROXY variables, `hub.proxy` and `hub.ca_bundle`. Called
   * before each download with the current settings; they are read again only
   * when they changed, and an undici dispatcher made for the old ones closes
   * once its requests end. ValidationError for a proxy URL or CA file that
   * cannot be used.
   */
  useNetwork(options: HubNetworkOptions): HubNetwork {
    const proxyVariables = Object.entries(options.env).filter(([name]) =>
      /^(https?|all|no)_proxy$|^node_extra_ca_certs$/i.test(name),
    );
    const key = JSON.stringify([proxyVariables, options.proxySetting, options.caBundlePath]);
    if (key === this.networkKey && this.network !== null) return this.network;
    this.network = new HubNetwork(options);
    this.networkKey = key;
    this.closeUndici();
    return this.network;
  }

  /** Sends a request and follows redirects; resolves once the final response's head has arrived. */
  async send(request: HubRequest): Promise<HubResponse> {
    let url = new URL(request.url);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      // The Hub's rate limits count requests to the endpoint only (rate-limit.ts), not to its CDN.
      const counted = url.origin === request.tokenOrigin;
      if (counted) await this.waitForRateLimit(url, request.signal);
      const response = await this.sendOnce(url, request);
      if (counted) this.rateLimiter.observe(url, response.status, response.headers);
      const location = headerValue(response.headers, 'location');
      if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
      // The body of a redirect is not wanted; draining it returns the socket to the pool.
      response.watchdog.stop();
      response.body.drain();
      url = new URL(location, url);
    }
    throw new TransferError(`too many redirects from ${new URL(request.url).host}`, { retryable: false });
  }

  /** Closes the idle connections of both transports (requests in flight end as they would). */
  close(): void {
    this.bulk.close();
    this.closeUndici();
  }

  /** Made on first use, so that a bad proxy variable fails a request with its message, not the import. */
  private currentNetwork(): HubNetwork {
    this.network ??= new HubNetwork({ env: process.env, proxySetting: '', caBundlePath: null });
    return this.network;
  }

  /** undici and the dispatcher for the current network, loaded and made on first use. */
  private undiciTransport(): Promise<UndiciTransport> {
    const current = this.currentNetwork();
    this.undici ??= Promise.all([import('undici'), import('./hub-dispatcher.js')]).then(
      ([module, { HubDispatcher }]) => ({
        dispatcher: new HubDispatcher(current, AGENT_OPTIONS),
        request: module.request,
      }),
    );
    return this.undici;
  }

  /** The dispatcher made so far, if any, closes once its requests end. */
  private closeUndici(): void {
    const previous = this.undici;
    this.undici = null;
    previous?.then(({ dispatcher }) => dispatcher.close()).catch(() => {});
  }

  private async waitForRateLimit(url: URL, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.rateLimiter.waitForTurn(url, signal);
    } catch (error) {
      if (signal?.aborted) throw new TransferError('download paused', { retryable: false, cause: signal.reason });
      throw error;
    }
  }

  private async sendOnce(url: URL, request: HubRequest): Promise<HubResponse> {
    const headers: Record<string, string> = {
      'User-Agent': USER_AGENT,
      'Accept-Encoding': 'identity',
      ...request.headers,
    };
    const fromTokenOrigin = url.origin === request.tokenOrigin;
    if (request.token !== null && fromTokenOrigin) headers.Authorization = `Bearer ${request.token}`;

    // One controller ends the exchange for every reason: the caller's signal
    // (pause), the stall watchdog, discard(). undici rejects with, and errors
    // the body with, the reason given, so readers see our error as it is.
    // Reused from an exchange that ended cleanly: Node 20 takes tens of
    // microseconds to make an AbortSignal, a cost per file for a model of
    // thousands of small files. Once given back it may be another request's,
    // so nothing of this one aborts it any more (`givenBack`).
    const controller = this.idleControllers.pop() ?? new AbortController();
    let givenBack = false;
    const abort = (reason: Error): void => {
      if (!givenBack) controller.abort(reason);
    };
    const watchdog = new StallWatchdog(request.stallTimeoutMs, abort);
    const onAbort = (): void => {
      abort(new TransferError('download paused', { retryable: false, cause: request.signal?.reason }));
    };
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      watchdog.stop();
      request.signal?.removeEventListener('abort', onAbort);
    };

    let answer: Answer;
    const proxy = this.currentNetwork().proxyFor(url);
    try {
      answer =
        (await this.sendDirect(url, headers, request, controller.signal)) ??
        (await this.sendThroughUndici(url, headers, request, controller.signal));
    } catch (error) {
      cleanup();
      if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
      throw proxy === null ? error : proxyFailure(proxy, url, error);
    }
    if (proxy !== null && answer.status === 407) {
      // A plain-http request through a proxy gets the proxy's own 407 as its answer: it is not the Hub's.
      cleanup();
      answer.destroy(new TransferError('response discarded', { retryable: false }));
      throw proxyFailure(proxy, url, new Error('407 Proxy Authentication Required'));
    }
    answer.onEnd((clean) => {
      cleanup();
      // Only after a body read to its end, never aborted, and once bulk-get.ts stopped listening.
      const reusable =
        clean && !controller.signal.aborted && getEventListeners(controller.signal, 'abort').length === 0;
      if (!reusable || this.idleControllers.length >= MAX_IDLE_CONTROLLERS) return;
      givenBack = true;
      this.idleControllers.push(controller);
    });
    watchdog.touch();
    return {
      status: answer.status,
      headers: answer.headers,
      url,
      fromTokenOrigin,
      body: answer.body,
      watchdog,
      discard: () => {
        cleanup();
        abort(new TransferError('response discarded', { retryable: false }));
        answer.destroy(new TransferError('response discarded', { retryable: false }));
      },
    };
  }

  /** Through bulk-get.ts on a direct route; null when undici should carry the request. */
  private async sendDirect(
    url: URL,
    headers: Record<string, string>,
    request: HubRequest,
    signal: AbortSignal,
  ): Promise<Answer | null> {
    const current = this.currentNetwork();
    if (current.proxyFor(url) !== null || this.bulkRefused.has(url.origin)) return null;
    let response;
    try {
      response = await bulkGet(this.bulk, { url, method: request.method ?? 'GET', headers, ca: current.ca, signal });
    } catch (error) {
      if (!(error instanceof BulkUnsupportedError)) throw error;
      this.bulkRefused.add(url.origin);
      return null;
    }
    const ended: ((clean: boolean) => void)[] = [];
    const end = (clean: boolean): void => {
      for (const callback of ended.splice(0)) callback(clean);
    };
    const pieces = response.body[Symbol.asyncIterator]();
    return {
      status: response.status,
      headers: response.headers,
      body: {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            try {
              const result = await pieces.next();
              if (result.done === true) end(true);
              return result;
            } catch (error) {
              end(false);
              throw error;
            }
          },
          return: async () => {
            end(false);
            return (await pieces.return?.()) ?? { done: true, value: undefined };
          },
        }),
        drain: () => {
          end(false);
          response.drain();
        },
      },
      destroy: (reason) => {
        end(false);
        response.destroy(reason);
      },
      onEnd: (callback) => ended.push(callback),
    };
  }

  private async sendThroughUndici(
    url: URL,
    headers: Record<string, string>,
    request: HubRequest,
    signal: AbortSignal,
  ): Promise<Answer> {
    const transport = await this.undiciTransport();
    const answer = await transport.request(url, {
      dispatcher: transport.dispatcher,
      method: request.method ?? 'GET',
      headers,
      signal,
    });
    const body = answer.body;
    // A body drained or dropped without a reader must not crash the process on a late
    // reset; a reader (for await) still gets every error.
    body.on('error', () => {});
    return {
      status: answer.statusCode,
      headers: answer.headers as IncomingHttpHeaders,
      body: Object.assign(body, { drain: () => void body.resume() }) as ResponseBody,
      destroy: () => body.destroy(),
      // Never reused: undici may hold the signal beyond the body's end.
      onEnd: (callback) => body.on('close', () => callback(false)),
    };
  }
}

/**
 * A request through `proxy` that failed before any answer of the server:
 * the proxy is the one to name (without its credentials). Connection
 * failures stay retryable; a proxy that wants credentials does not change
 * its mind on a retry.
 */
function proxyFailure(proxy: URL, url: URL, error: unknown): ProxyError {
  const reason = error instanceof Error ? error.message : String(error);
  // undici says "Proxy response (407) !== 200 when HTTP Tunneling" or "Proxy Authentication Required (407)".
  const answered = /^Proxy .*\((\d{3})\)|^(407)\b/.exec(reason);
  const status = answered === null ? null : Number(answered[1] ?? answered[2]);
  const what =
    status === 407
      ? 'asks for credentials (407 Proxy Authentication Required): give them in the proxy URL, http://user:password@host:port'
      : status !== null
        ? `refused to open a tunnel (${status})`
        : `failed: ${reason}`;
  return new ProxyError(`the proxy ${redactProxyUrl(proxy)} (for ${url.host}) ${what}`, {
    retryable: status === null,
    cause: error,
  });
}

/** A response as either transport gives it. */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
  destroy(reason: Error): void;
  /** Once the body is read (`clean`: to its end, on the direct path), drained or dropped. */
  onEnd(callback: (clean: boolean) => void): void;
}

/** Reads a whole (small) body as text, e.g. the JSON of an API answer. */
export async function readBodyText(response: HubResponse, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      response.watchdog.touch();
      // Copied: the piece may live in a reused read buffer.
      const buffer = Buffer.from(chunk);
      total += buffer.length;
      if (total > maxBytes) {
        response.discard();
        throw new TransferError(`answer from ${response.url.host} is larger than ${maxBytes} bytes`, {
          retryable: false,
        });
      }
      chunks.push(buffer);
    }
  } finally {
    response.watchdog.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A header as one string (the first, when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
