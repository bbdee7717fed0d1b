/**
 * Moves the missing bytes of one blob from the Hub into its `.incomplete`
 * file: one or several connections ("lanes"), each taking the next missing
 * chunk in file order and asking for it with a Range request, resuming where
 * it stopped after a dropped or stalled connection. The first request goes
 * to the Hub's resolve URL; when that redirects to a CDN, later ranges go
 * straight to the signed CDN URL, and a 403 there (expired) sends us back to
 * resolve for a fresh one (docs/hub-protocol.md, "Downloading a file").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { BlobHasher } from './blob-hasher.js';
import type { OpenRangeWriter } from './chunk-writer.js';
import {
  asUserFacingError,
  BlobMismatchError,
  ExpiredUrlError,
  RangesUnsupportedError,
  TransferError,
} from './errors.js';
import { headerValue, sendHubRequest, type HubResponse } from './http-client.js';
import { announceRetry, type HubConnection, resolveUrl } from './hub-connection.js';
import {
  type ChunkPlan,
  chunkCount,
  chunkLength,
  chunkStart,
  contiguousBytes,
  isChunkComplete,
} from './partial-file.js';
import { errorForAnswer } from './response-errors.js';
import { RetryBudget } from './retry-policy.js';

/** Fresh signed URLs asked for in a row before giving up (a CDN that always says 403). */
const MAX_EXPIRED_IN_A_ROW = 3;

export interface BlobTransferOptions {
  connection: HubConnection;
  /** The repo path asked for (one of the blob's paths). */
  path: string;
  /** Files are fetched at the listed commit, so a branch moving meanwhile changes nothing. */
  commit: string;
  revision: string;
  plan: ChunkPlan;
  /** Opens the sink of one range: the partial file, or memory for a small blob. */
  openWriter: OpenRangeWriter;
  hasher: BlobHasher;
  connections: number;
  bandwidth: BandwidthLimiter | null;
  /** Bytes received from the network. */
  onBytes: (bytes: number) => void;
}

export class BlobTransfer {
  private cursor = 0;
  private directUrl: string | null = null;
  private expiredInARow = 0;
  private readonly budget: RetryBudget;
  private readonly controller = new AbortController();

  constructor(private readonly options: BlobTransferOptions) {
    this.budget = new RetryBudget(options.connection.maxRetries, options.connection.retryBaseDelayMs);
  }

  /** Fetches every missing chunk; rejects with the first lane's failure (the other lanes stop). */
  async run(): Promise<void> {
    const outer = this.options.connection.signal;
    const forwardAbort = (): void => this.controller.abort(outer?.reason);
    if (outer?.aborted) forwardAbort();
    outer?.addEventListener('abort', forwardAbort, { once: true });
    const missing = this.options.plan.done.filter((_, index) => !isChunkComplete(this.options.plan, index)).length;
    const lanes = Math.max(0, Math.min(this.options.connections, missing));
    let firstError: { error: unknown } | null = null;
    try {
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          try {
            await this.lane();
          } catch (error) {
            if (firstError === null) {
              firstError = { error };
              this.controller.abort(error);
            }
          }
        }),
      );
    } finally {
      outer?.removeEventListener('abort', forwardAbort);
    }
    if (firstError !== null) throw (firstError as { error: unknown }).error;
  }

  private claimNextChunk(): number | null {
    const count = chunkCount(this.options.plan);
    while (this.cursor < count) {
      const index = this.cursor;
      this.cursor += 1;
      if (!isChunkComplete(this.options.plan, index)) return index;
    }
    return null;
  }

  private async lane(): Promise<void> {
    for (let index = this.claimNextChunk(); index !== null; index = this.claimNextChunk()) {
      await this.fetchChunk(index);
    }
  }

  private async fetchChunk(index: number): Promise<void> {
    const { connection, path } = this.options;
    const signal = this.controller.signal;
    while (!isChunkComplete(this.options.plan, index)) {
      try {
        await this.fetchChunkOnce(index);
      } catch (error) {
        signal.throwIfAborted();
        if (error instanceof BlobMismatchError || error instanceof RangesUnsupportedError) throw error;
        if (error instanceof ExpiredUrlError) {
          this.directUrl = null;
          this.expiredInARow += 1;
          if (this.expiredInARow <= MAX_EXPIRED_IN_A_ROW) continue;
        }
        const what = `downloading "${path}" of "${connection.repoId}"`;
        try {
          await this.budget.pauseBeforeRetry(error, signal, (retry, delayMs) =>
            announceRetry(connection, what, error, retry, delayMs),
          );
        } catch (final) {
          signal.throwIfAborted();
          throw asUserFacingError(final, what, this.budget.retriesUsed);
        }
      }
    }
  }

  /** One request for the rest of chunk `index`; throws when it ends early. */
  private async fetchChunkOnce(index: number): Promise<void> {
    const { plan, connection } = this.options;
    const chunkEnd = chunkStart(plan, index) + chunkLength(plan, index); // exclusive
    const start = chunkStart(plan, index) + plan.done[index]!;
    const wholeFile = start === 0 && chunkEnd === plan.size;
    // Open-ended when the range runs to the end of the file, as huggingface_hub resumes.
    const range = chunkEnd === plan.size ? `bytes=${start}-` : `bytes=${start}-${chunkEnd - 1}`;
    const response = await sendHubRequest({
      url: this.directUrl ?? resolveUrl(connection, this.options.commit, this.options.path),
      token: connection.token,
      tokenOrigin: connection.tokenOrigin,
      stallTimeoutMs: connection.stallTimeoutMs,
      signal: this.controller.signal,
      ...(wholeFile ? {} : { headers: { Range: range } }),
    });
    this.checkStatus(response, start, wholeFile);
    this.expiredInARow = 0;
    if (!response.fromTokenOrigin) this.directUrl = response.url.href;
    await this.receive(response, index, start, chunkEnd);
  }

  private checkStatus(response: HubResponse, start: number, wholeFile: boolean): void {
    const { connection, path, revision } = this.options;
    const host = response.url.host;
    if (response.status === 200 && wholeFile) return;
    if (response.status === 200) {
      response.discard();
      throw new RangesUnsupportedError(host);
    }
    if (response.status === 206) {
      const contentRange = headerValue(response.headers, 'content-range') ?? '';
      const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange.trim());
      if (match === null || Number(match[1]) !== start) {
        response.discard();
        throw new RangesUnsupportedError(host);
      }
      if (match[2] !== '*' && Number(match[2]) !== this.options.plan.size) {
        response.discard();
        throw new BlobMismatchError(
          `"${path}" is ${match[2]} bytes on ${host} but ${this.options.plan.size} bytes in the listing of "${connection.repoId}"`,
        );
      }
      return;
    }
    response.watchdog.stop();
    response.body.resume();
    if (response.status === 416) {
      throw new BlobMismatchError(`${host} says "${path}" is shorter than the ${this.options.plan.size} bytes listed`);
    }
    throw errorForAnswer(response, {
      endpoint: connection.endpoint,
      repoId: connection.repoId,
      revision,
      filePath: path,
      tokenSent: connection.token !== null && response.fromTokenOrigin,
    });
  }

  /** Streams the body into the file at [start, chunkEnd), through the bandwidth limiter. */
  private async receive(response: HubResponse, index: number, start: number, chunkEnd: number): Promise<void> {
    const { plan, hasher, bandwidth } = this.options;
    const chunkBegin = chunkStart(plan, index);
    const writer = this.options.openWriter(start, chunkEnd, (offset, data) => {
      plan.done[index] = offset + data.length - chunkBegin;
      return hasher.written(offset, data, contiguousBytes(plan));
    });
    const watchdog = response.watchdog;
    const expected = chunkEnd - start;
    let received = 0;
    let failure: { error: unknown } | null = null;
    try {
      for await (const raw of response.body) {
        // More than asked for: keep what we need and drop the connection. Otherwise
        // the body ends by itself and the socket goes back to the keep-alive pool.
        if (received >= expected) break;
        watchdog.touch();
        let piece = raw as Buffer;
        if (piece.length > expected - received) piece = piece.subarray(0, expected - received);
        received += piece.length;
        this.budget.madeProgress();
        this.options.onBytes(piece.length);
        watchdog.pause();
        const wait = bandwidth?.reserve(piece.length) ?? 0;
        if (wait > 0) await sleep(wait, undefined, { signal: this.controller.signal });
        await writer.push(piece);
        watchdog.resume();
      }
    } catch (error) {
      failure = { error };
    } finally {
      watchdog.stop();
    }
    // What arrived is good: write it, so the next try (or run) starts after it.
    try {
      await writer.flush();
    } catch (error) {
      failure ??= { error };
    }
    if (failure !== null) throw failure.error;
    if (received < expected) {
      throw new TransferError(
        `${response.url.host} closed the connection after ${received} of ${expected} bytes`,
        true,
      );
    }
  }
}
