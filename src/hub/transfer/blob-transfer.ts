/**
 * Moves the missing bytes of one blob from the Hub into its sink
 * (blob-sink.ts), in file order. A large file is cut into chunks of a few
 * MiB, handed out in file order to one or more connections ("lanes"). A
 * lane takes a run of consecutive chunks (its share of the window) and asks
 * for the whole run with one Range request, resuming where it stopped after
 * a dropped or stalled connection. Bytes that arrive ahead of the
 * sink's front wait in memory, bounded: a lane only takes a chunk that ends
 * within WINDOW of the front, so memory stays flat whatever the file size.
 * The number of lanes adapts to what the link gives (lane-controller.ts).
 * A small file, or a single connection, is one request for all the rest.
 *
 * The first request goes to the Hub's resolve URL; when that redirects to a
 * CDN, later ranges go straight to the signed CDN URL, and a 403 there
 * (expired) sends us back to resolve for a fresh one (docs/hub-protocol.md,
 * "Downloading a file").
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { BlobSink } from './blob-sink.js';
import {
  asUserFacingError,
  BlobMismatchError,
  ExpiredUrlError,
  RangesUnsupportedError,
  TransferError,
} from '../errors.js';
import { headerValue, type HubResponse } from '../protocol/http-client.js';
import { announceRetry, type HubConnection, resolveUrl } from '../protocol/hub-connection.js';
import { LaneController, sampleEvery, type ConnectionBudget } from './lane-controller.js';
import { errorForAnswer } from '../protocol/response-errors.js';
import { isRetryable, RetryBudget } from '../protocol/retry-policy.js';
import type { Chunk, LaneRun } from './transfer-chunks.js';
import { CHUNK_BYTES, planChunks, releaseSlab, runDone, takeSlab, WINDOW_BYTES } from './transfer-chunks.js';

/** The signal of a transfer with nothing that may stop it (no snapshot signal given). */
const NEVER_ABORTED = new AbortController().signal;

/** Fresh signed URLs asked for in a row before giving up (a CDN that always says 403). */
const MAX_EXPIRED_IN_A_ROW = 3;
export interface BlobTransferOptions {
  connection: HubConnection;
  /** The repo path asked for (one of the blob's paths). */
  path: string;
  /** Files are fetched at the listed commit, so a branch moving meanwhile changes nothing. */
  commit: string;
  revision: string;
  size: number;
  /** Where the sink's front is: bytes [0, prefix) are in place already. */
  prefix: number;
  /** 1: the rest in one request. More: chunks, with up to this many lanes. */
  maxConnections: number;
  sink: BlobSink;
  bandwidth: BandwidthLimiter | null;
  /** Bytes received from the network. */
  onBytes: (bytes: number) => void;
  /**
   * Where the lanes added to the first come from: the snapshot's budget, whose
   * file pool counted the first lane already (file-pool.ts).
   */
  connections: ConnectionBudget;
}

export class BlobTransfer {
  private directUrl: string | null = null;
  private expiredInARow = 0;
  private readonly budget: RetryBudget;
  /**
   * Several lanes: the transfer's own controller, which stops the others when
   * one fails. One lane (every small file): none, the snapshot's signal alone
   * (no sibling to stop, no lane waiting on the window), so that a file costs
   * one controller (the request's) and two abort listeners, not two and four.
   */
  private readonly controller: AbortController | null;
  private readonly signal: AbortSignal;
  private readonly chunks: Chunk[];
  private readonly lanes: LaneController;
  /** The next chunk to hand out, and the first not entirely given to the sink. */
  private nextClaim = 0;
  private front = 0;
  private frontWaiters: Array<() => void> = [];
  private running = 0;
  private receivedTotal = 0;
  private readonly maxLanes: number;

  constructor(private readonly options: BlobTransferOptions) {
    this.budget = new RetryBudget(options.connection.maxRetries, options.connection.retryBaseDelayMs);
    const rest = options.size - options.prefix;
    const chunked = options.maxConnections > 1 && rest > CHUNK_BYTES;
    this.chunks = planChunks(options.prefix, options.size, chunked ? CHUNK_BYTES : Math.max(1, rest));
    this.maxLanes = chunked ? Math.min(options.maxConnections, WINDOW_BYTES / CHUNK_BYTES) : 1;
    this.lanes = new LaneController(1, this.maxLanes);
    if (this.maxLanes > 1) {
      this.controller = new AbortController();
      this.signal = this.controller.signal;
      // Each lane's request listens to it (http-client.ts), and the transfer once.
      setMaxListeners(this.maxLanes + 4, this.signal);
    } else {
      this.controller = null;
      this.signal = options.connection.signal ?? NEVER_ABORTED;
    }
  }

  /** Fetches every missing byte into the sink; rejects with the first lane's failure (the other lanes stop). */
  async run(): Promise<void> {
    if (this.chunks.length === 0) return;
    const outer = this.controller === null ? undefined : this.options.connection.signal;
    const forwardAbort = (): void => this.controller?.abort(outer?.reason);
    if (outer?.aborted) forwardAbort();
    outer?.addEventListener('abort', forwardAbort, { once: true });
    if (this.controller !== null) this.signal.addEventListener('abort', () => this.wakeClaimers(), { once: true });
    let firstError: { error: unknown } | null = null;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const connections = this.options.connections;
    // The first lane is the file's own connection: counted by the pool that runs the file.
    const counted = (first: boolean): boolean => !first;
    const startLane = (first: boolean): boolean => {
      if (counted(first) && !connections.take(first)) return false;
      this.running += 1;
      void this.lane()
        .catch((error: unknown) => {
          if (firstError === null) {
            firstError = { error };
            this.controller?.abort(error);
          }
        })
        .finally(() => {
          if (counted(first)) connections.release();
          this.running -= 1;
          if (this.running === 0) allDone();
        });
      return true;
    };
    startLane(true);
    // One lane for good (a small file, one connection): no sampling, no timer.
    const stopSampling =
      this.maxLanes <= 1
        ? null
        : sampleEvery(
            this.lanes,
            () => this.receivedTotal,
            (wanted) => {
              while (this.running < wanted && this.nextClaim < this.chunks.length && !this.signal.aborted) {
                if (!startLane(false)) break;
              }
            },
          );
    try {
      await finished;
    } finally {
      stopSampling?.();
      outer?.removeEventListener('abort', forwardAbort);
    }
    if (firstError !== null) throw (firstError as { error: unknown }).error;
  }

  private wakeClaimers(): void {
    const waiters = this.frontWaiters;
    this.frontWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Whether chunk `index` may be fetched now: it is the front, or ends within the window. */
  private fitsWindow(index: number): boolean {
    const frontStart = this.chunks[this.front]?.start ?? this.options.size;
    return index === this.front || this.chunks[index]!.end - frontStart <= WINDOW_BYTES;
  }

  /**
   * The next run of chunks in file order, once its first fits in the window:
   * up to the lane's share of the window (window / lanes), so that each lane
   * asks for many chunks in one request while the lanes together stay within
   * the window. Null when none is left.
   */
  private async claimNextRun(): Promise<LaneRun | null> {
    for (;;) {
      this.signal.throwIfAborted();
      if (this.nextClaim >= this.chunks.length) return null;
      if (this.fitsWindow(this.nextClaim)) {
        const first = this.nextClaim;
        // Alone, one chunk: the lane goes on from it while alone, and leaves the rest to lanes added later.
        const lanes = Math.max(this.lanes.target, this.running);
        const share = lanes === 1 ? 1 : Math.max(1, Math.floor(WINDOW_BYTES / CHUNK_BYTES / lanes));
        let last = first;
        while (last + 1 < this.chunks.length && last + 1 - first < share && this.fitsWindow(last + 1)) last += 1;
        this.nextClaim = last + 1;
        return { chunk: this.chunks[first]!, last };
      }
      await new Promise<void>((resolve) => this.frontWaiters.push(resolve));
    }
  }

  private async lane(): Promise<void> {
    for (;;) {
      // Fewer lanes wanted (back-off, or more did not pay): this one leaves between runs.
      if (this.running > this.lanes.target) return;
      const run = await this.claimNextRun();
      if (run === null) return;
      await this.fetchRun(run);
    }
  }

  /** Fetches the lane's run, and the chunks after it that this lane goes on with alone (see receive). */
  private async fetchRun(lane: LaneRun): Promise<void> {
    const { connection, path } = this.options;
    const signal = this.signal;
    while (!runDone(lane)) {
      try {
        await this.fetchChunkOnce(lane);
      } catch (error) {
        signal.throwIfAborted();
        if (error instanceof BlobMismatchError || error instanceof RangesUnsupportedError) throw error;
        if (error instanceof ExpiredUrlError) {
          this.directUrl = null;
          this.expiredInARow += 1;
          if (this.expiredInARow <= MAX_EXPIRED_IN_A_ROW) continue;
        }
        if (isRetryable(error)) this.lanes.backOff();
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

  /** A lane alone on its file asks for all the rest at once, and goes on from chunk to chunk on one response. */
  private alone(): boolean {
    return this.running === 1 && this.lanes.target === 1;
  }

  /**
   * One request for the rest of the lane's run (or, alone, of the file);
   * throws when it ends early.
   */
  private async fetchChunkOnce(lane: LaneRun): Promise<void> {
    const { connection, size } = this.options;
    // A response that ended right at a chunk's end: go on from the next one of the run.
    while (lane.chunk.index < lane.last && lane.chunk.received === lane.chunk.end - lane.chunk.start) {
      lane.chunk = this.chunks[lane.chunk.index + 1]!;
    }
    const chunk = lane.chunk;
    const start = chunk.start + chunk.received;
    const runEnd = this.chunks[lane.last]!.end;
    const openEnded = runEnd === size || this.alone();
    const wholeFile = start === 0 && openEnded;
    // Open-ended when the range runs to the end of the file, as huggingface_hub resumes.
    const range = openEnded ? `bytes=${start}-` : `bytes=${start}-${runEnd - 1}`;
    const response = await connection.http.send({
      url: this.directUrl ?? resolveUrl(connection, this.options.commit, this.options.path),
      token: connection.token,
      tokenOrigin: connection.tokenOrigin,
      stallTimeoutMs: connection.stallTimeoutMs,
      signal: this.signal,
      ...(wholeFile ? {} : { headers: { Range: range } }),
    });
    this.checkStatus(response, start, wholeFile);
    this.expiredInARow = 0;
    if (!response.fromTokenOrigin) this.directUrl = response.url.href;
    await this.receive(response, lane, openEnded);
  }

  /**
   * The chunk after `chunk` on the lane's response: the next of its run, or,
   * for a lane alone, the next of the file, claimed. Null when the lane stops
   * here (another lane took the next chunk).
   */
  private followingChunk(lane: LaneRun, openEnded: boolean): Chunk | null {
    const index = lane.chunk.index + 1;
    if (index <= lane.last) return this.chunks[index]!;
    if (!openEnded || !this.alone() || this.nextClaim !== index || index >= this.chunks.length) return null;
    this.nextClaim += 1;
    lane.last = index;
    return this.chunks[index]!;
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
      if (match[2] !== '*' && Number(match[2]) !== this.options.size) {
        response.discard();
        throw new BlobMismatchError(
          `"${path}" is ${match[2]} bytes on ${host} but ${this.options.size} bytes in the listing of "${connection.repoId}"`,
        );
      }
      return;
    }
    response.watchdog.stop();
    response.body.drain();
    if (response.status === 416) {
      throw new BlobMismatchError(`${host} says "${path}" is shorter than the ${this.options.size} bytes listed`);
    }
    throw errorForAnswer(response, {
      endpoint: connection.endpoint,
      repoId: connection.repoId,
      revision,
      filePath: path,
      tokenSent: connection.token !== null && response.fromTokenOrigin,
    });
  }

  /**
   * Streams the body into the lane's chunk, through the bandwidth limiter,
   * giving the sink what reaches the front. On an open-ended response the
   * lane goes on into the next chunk while it is alone; once other lanes
   * run, it stops at the end of its chunk and drops the connection.
   */
  private async receive(response: HubResponse, lane: LaneRun, openEnded: boolean): Promise<void> {
    const { bandwidth } = this.options;
    const watchdog = response.watchdog;
    let stopped = false;
    try {
      for await (const raw of response.body) {
        watchdog.touch();
        let piece = raw as Buffer;
        let taken = 0;
        while (piece.length > 0) {
          const chunk = lane.chunk;
          const room = chunk.end - chunk.start - chunk.received;
          if (room === 0) {
            const next = this.followingChunk(lane, openEnded);
            // More than this lane wants: keep what we need and drop the connection.
            if (next === null) {
              stopped = true;
              break;
            }
            lane.chunk = next;
            continue;
          }
          const part = piece.length > room ? piece.subarray(0, room) : piece;
          piece = piece.length > room ? piece.subarray(room) : Buffer.alloc(0);
          if (chunk.index === this.front && chunk.delivered === chunk.received) {
            // At the front: straight to the sink (it copies what it keeps).
            this.appendToSink(part);
            chunk.delivered += part.length;
          } else {
            chunk.slab ??= takeSlab();
            part.copy(chunk.slab, chunk.received);
          }
          chunk.received += part.length;
          taken += part.length;
        }
        this.receivedTotal += taken;
        this.budget.madeProgress();
        this.options.onBytes(taken);
        const wait = bandwidth?.reserve(taken) ?? 0;
        const behind = this.deliver();
        if (wait > 0 || behind !== undefined) {
          watchdog.pause();
          if (wait > 0) await sleep(wait, undefined, { signal: this.signal });
          if (behind !== undefined) await behind;
          watchdog.resume();
        }
        if (stopped) break;
      }
      // Large reads can bring more than the limit allows at once: the lane ends when its bytes' time is up.
      watchdog.pause();
      await bandwidth?.take(0, this.signal);
    } finally {
      watchdog.stop();
    }
    if (!runDone(lane)) {
      const missing = this.chunks[lane.last]!.end - (lane.chunk.start + lane.chunk.received);
      throw new TransferError(
        `${response.url.host} closed the connection ${missing} bytes before the end of the range it was asked for`,
        { retryable: true },
      );
    }
  }

  /** The sink asked to wait: remembered, awaited by the lane that delivered (see deliver). */
  private behind: Promise<void> | undefined;

  private appendToSink(part: Buffer): void {
    const wait = this.options.sink.append(part);
    if (wait !== undefined) {
      // Only the last one is awaited; all settle together, and none may go unhandled.
      wait.catch(() => {});
      this.behind = wait;
    }
  }

  /**
   * Gives the sink every held byte that continues its front, chunk after
   * chunk. Returns a promise when the sink asks to wait.
   */
  private deliver(): Promise<void> | undefined {
    let advanced = false;
    while (this.front < this.chunks.length) {
      const chunk = this.chunks[this.front]!;
      if (chunk.delivered < chunk.received) {
        this.appendToSink(chunk.slab!.subarray(chunk.delivered, chunk.received));
        chunk.delivered = chunk.received;
      }
      if (chunk.received < chunk.end - chunk.start) break;
      if (chunk.slab !== null) releaseSlab(chunk.slab);
      chunk.slab = null;
      this.front += 1;
      advanced = true;
    }
    if (advanced) this.wakeClaimers();
    const behind = this.behind;
    this.behind = undefined;
    return behind;
  }
}
