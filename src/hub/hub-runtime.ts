/**
 * What every download and every request of one process shares, in one
 * object. Whoever downloads or asks the Hub makes one and hands it down:
 * the daemon for its whole life, `pull` for its check and download,
 * `model add` for its check. Nothing in src/hub/ keeps such state in a
 * module, so a test makes a fresh runtime instead of resetting one.
 *
 * - `http` (protocol/http-client.ts): the network settings (proxies, CAs),
 *   the kept-alive connections of both transports, the origins bulk-get.ts
 *   does not read, and the Hub's rate limits as its answers tell them;
 * - `bandwidth`: `download.bandwidth_limit`, shared by every download;
 * - `connections`: the most connections open at once, all snapshots together;
 * - `diskGate`: free disk and cache budget, with the reservations of the
 *   running downloads.
 *
 * Two memos stay in their modules, as facts of the files rather than state of
 * a runtime: symlink-support.ts (whether a cache folder takes links) and
 * shared-blobs.ts (entries already hashed, by inode and change time); and
 * the reused chunk buffers of transfer-chunks.ts are the process's memory.
 */
import { DiskGate } from './cache/disk-gate.js';
import { HubHttpClient } from './protocol/http-client.js';
import type { HubRateLimiter } from './protocol/rate-limit.js';
import { BandwidthLimiter } from './transfer/bandwidth-limiter.js';
import { ConnectionBudget, PROCESS_MAX_CONNECTIONS } from './transfer/lane-controller.js';

export interface HubRuntimeOptions {
  /** `download.bandwidth_limit` in bytes per second; 0 (the default) for none. Changed later with bandwidth.setRate. */
  bandwidthLimit?: number;
  /** The rate limiter, for a test that drives its clock; default a new one on the system clock. */
  rateLimiter?: HubRateLimiter;
}

export class HubRuntime {
  readonly http: HubHttpClient;
  readonly bandwidth: BandwidthLimiter;
  readonly connections = new ConnectionBudget(PROCESS_MAX_CONNECTIONS);
  readonly diskGate = new DiskGate();

  constructor(options: HubRuntimeOptions = {}) {
    this.http = new HubHttpClient(options.rateLimiter !== undefined ? { rateLimiter: options.rateLimiter } : {});
    this.bandwidth = new BandwidthLimiter(options.bandwidthLimit ?? 0);
  }

  /** The Hub's rate limits as this runtime's requests met them (for status and /metrics). */
  get rateLimiter(): HubRateLimiter {
    return this.http.rateLimiter;
  }

  /** Closes the idle connections (a daemon that stops); requests in flight end as they would. */
  close(): void {
    this.http.close();
  }
}
