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
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, request as undiciRequest } from 'undici';
import { BulkUnsupportedError, bulkGet } from './bulk-get.js';
import { TransferError } from './errors.js';
import { HubDispatcher } from './hub-dispatcher.js';
import { HubNetwork, type HubNetworkOptions } from './hub-network.js';
import { hubRateLimiter } from './rate-limit.js';
import { StallWatchdog } from './stall-watchdog.js';
import { USER_AGENT } from './user-agent.js';

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Every request goes through this one dispatcher: undici's (keep-alive
 * sockets, reused by the many range requests of a multi-connection download).
 * undici, not node:http: in bench/ it parsed a 1 GiB body with about a third
 * less CPU. It is a HubDispatcher (hub-dispatcher.ts), which sends each
 * request direct or through its proxy; this is the only place one is made.
 * Until useHubNetwork is called, the environment's proxy variables apply.
 */
const AGENT_OPTIONS = { keepAliveTimeout: 4000 };
let dispatcher: Dispatcher | null = null;
let networkKey: string | null = null;

/** Replaces the dispatcher of every later request (tests, embedders). */
export function setHubDispatcher(next: Dispatcher): void {
  dispatcher = next;
  networkKey = null;
}

/** Made on first use, so that a bad proxy variable fails a request with its message, not the import. */
export function hubDispatcher(): Dispatcher {
  dispatcher ??= new HubDispatcher(
    new HubNetwork({ env: process.env, proxySetting: '', caBundlePath: null }),
    AGENT_OPTIONS,
  );
  return dispatcher;
}

/**
 * Proxies and certificate authorities for every later request: the
 * environment's *_PROXY variables, `hub.proxy` and `hub.ca_bundle`. Called
 * before each download with the current settings; the dispatcher is made
 * again only when they changed, and the old one closes once its requests end.
 * ValidationError for a proxy URL or CA file that cannot be used.
 */
export function useHubNetwork(options: HubNetworkOptions): HubNetwork {
  const proxyVariables = Object.entries(options.env).filter(([name]) =>
    /^(https?|all|no)_proxy$|^node_extra_ca_certs$/i.test(name),
  );
  const key = JSON.stringify([proxyVariables, options.proxySetting, options.caBundlePath]);
  if (key === networkKey && dispatcher instanceof HubDispatcher) return dispatcher.network;
  const next = new HubDispatcher(new HubNetwork(options), AGENT_OPTIONS);
  const previous = dispatcher;
  dispatcher = next;
  networkKey = key;
  previous?.close().catch(() => {});
  return next.network;
}

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
  /**
   * A file's bytes: on a direct route, read through bulk-get.ts (large reads
   * into one reused buffer), so the body's pieces are only valid until the
   * next one is read.
   */
  bulk?: boolean;
}

/** A response body, a piece at a time. */
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
  /** Pieces that own their memory, except for a bulk request (see HubRequest.bulk). */
  body: ResponseBody;
  /** Still armed: touch() it per chunk, pause() it around your own waits, stop() it when done. */
  watchdog: StallWatchdog;
  /** Drops the connection (the rest of the body is not wanted). */
  discard(): void;
}

/** Sends a request and follows redirects; resolves once the final response's head has arrived. */
export async function sendHubRequest(request: HubRequest): Promise<HubResponse> {
  let url = new URL(request.url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    // The Hub's rate limits count requests to the endpoint only (rate-limit.ts), not to its CDN.
    const counted = url.origin === request.tokenOrigin;
    if (counted) await waitForRateLimit(url, request.signal);
    const response = await sendOnce(url, request);
    if (counted) hubRateLimiter.observe(url, response.status, response.headers);
    const location = headerValue(response.headers, 'location');
    if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
    // The body of a redirect is not wanted; draining it returns the socket to the pool.
    response.watchdog.stop();
    response.body.drain();
    url = new URL(location, url);
  }
  throw new TransferError(`too many redirects from ${new URL(request.url).host}`, false);
}

async function waitForRateLimit(url: URL, signal: AbortSignal | undefined): Promise<void> {
  try {
    await hubRateLimiter.waitForTurn(url, signal);
  } catch (error) {
    if (signal?.aborted) throw new TransferError('download paused', false, null, { cause: signal.reason });
    throw error;
  }
}

async function sendOnce(url: URL, request: HubRequest): Promise<HubResponse> {
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
  const controller = new AbortController();
  const watchdog = new StallWatchdog(request.stallTimeoutMs, (error) => controller.abort(error));
  const onAbort = (): void => {
    controller.abort(new TransferError('download paused', false, null, { cause: request.signal?.reason }));
  };
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = (): void => {
    watchdog.stop();
    request.signal?.removeEventListener('abort', onAbort);
  };

  let answer: Answer;
  try {
    answer =
      (await sendThroughBulk(url, headers, request, controller.signal)) ??
      (await sendThroughUndici(url, headers, request, controller.signal));
  } catch (error) {
    cleanup();
    throw controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : error;
  }
  answer.onEnd(cleanup);
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
      controller.abort(new TransferError('response discarded', false));
      answer.destroy(new TransferError('response discarded', false));
    },
  };
}

/** A response as either transport gives it. */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
  destroy(reason: Error): void;
  /** Once the body is read, drained or dropped. */
  onEnd(callback: () => void): void;
}

/** Origins that answered a bulk GET in a way bulk-get.ts does not read: undici serves them from then on. */
const bulkRefused = new Set<string>();

/** Through bulk-get.ts for a bulk request on a direct route; null when undici should carry it. */
async function sendThroughBulk(
  url: URL,
  headers: Record<string, string>,
  request: HubRequest,
  signal: AbortSignal,
): Promise<Answer | null> {
  const current = hubDispatcher();
  const route =
    request.bulk &&
    (request.method ?? 'GET') === 'GET' &&
    current instanceof HubDispatcher &&
    !bulkRefused.has(url.origin)
      ? current.network.proxyFor(url) === null
        ? { ca: current.network.ca }
        : null
      : null;
  if (route === null) return null;
  let response;
  try {
    response = await bulkGet({ url, headers, ca: route.ca, signal });
  } catch (error) {
    if (!(error instanceof BulkUnsupportedError)) throw error;
    bulkRefused.add(url.origin);
    return null;
  }
  const ended: (() => void)[] = [];
  const end = (): void => {
    for (const callback of ended.splice(0)) callback();
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
            if (result.done === true) end();
            return result;
          } catch (error) {
            end();
            throw error;
          }
        },
        return: async () => {
          end();
          return (await pieces.return?.()) ?? { done: true, value: undefined };
        },
      }),
      drain: () => {
        end();
        response.drain();
      },
    },
    destroy: (reason) => {
      end();
      response.destroy(reason);
    },
    onEnd: (callback) => ended.push(callback),
  };
}

async function sendThroughUndici(
  url: URL,
  headers: Record<string, string>,
  request: HubRequest,
  signal: AbortSignal,
): Promise<Answer> {
  const answer = await undiciRequest(url, {
    dispatcher: hubDispatcher(),
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
    onEnd: (callback) => body.on('close', callback),
  };
}

/** Reads a whole (small) body as text, e.g. the JSON of an API answer. */
export async function readBodyText(response: HubResponse, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      response.watchdog.touch();
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) {
        response.discard();
        throw new TransferError(`answer from ${response.url.host} is larger than ${maxBytes} bytes`, false);
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
