/**
 * Setup shared by the Hub client tests: a temporary cache folder, a test Hub
 * server, a fresh HubRuntime (its own connections, limiters and gate), and a SnapshotRequest with test-friendly defaults (short retry
 * delays and stall timeout, no free-space reserve) that a test overrides.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadSnapshot, HubRuntime, type SnapshotRequest, type SnapshotResult } from '../../src/hub/index.js';
import { startHubServer, type HubRepoSpec, type HubServer, type HubServerOptions } from '../support/hub-server.js';

export interface HubFixture {
  hub: HubServer;
  cacheDir: string;
  /** What this fixture's pulls share, as the downloads of one process do. */
  runtime: HubRuntime;
  /** A request for `repoId` against the fixture's Hub and cache. */
  request(repoId: string, overrides?: Partial<SnapshotRequest>): SnapshotRequest;
  /** downloadSnapshot(runtime, request(repoId, overrides)). */
  pull(repoId: string, overrides?: Partial<SnapshotRequest>): Promise<SnapshotResult>;
  cleanup(): Promise<void>;
}

export async function createHubFixture(
  repos: HubRepoSpec[],
  options: Omit<HubServerOptions, 'repos'> = {},
): Promise<HubFixture> {
  const hub = await startHubServer({ ...options, repos });
  const cacheDir = mkdtempSync(join(tmpdir(), 'hfsched-hub-test-'));
  const runtime = new HubRuntime();
  const request = (repoId: string, overrides: Partial<SnapshotRequest> = {}): SnapshotRequest => ({
    endpoint: hub.url,
    token: null,
    cacheDir,
    repoId,
    revision: 'main',
    include: [],
    exclude: [],
    concurrentFiles: 4,
    connectionsPerFile: 1,
    multipartThresholdBytes: 64 * 1024 * 1024,
    maxRetries: 3,
    stallTimeoutMs: 5000,
    minFreeBytes: 0,
    retryBaseDelayMs: 10,
    ...overrides,
  });
  return {
    hub,
    cacheDir,
    runtime,
    request,
    pull: (repoId, overrides) => downloadSnapshot(runtime, request(repoId, overrides)),
    async cleanup() {
      runtime.close();
      await hub.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Random bytes: any corrupted or shifted byte changes the hash. */
export function patternBytes(size: number): Buffer {
  return randomBytes(size);
}

/** Requests the test Hub logged whose path contains `part`. */
export function requestsFor(hub: HubServer, part: string): HubServer['requests'] {
  return hub.requests.filter((request) => request.path.includes(part));
}

/** File bytes (200 and 206 bodies) the test Hub sent for requests whose path contains `part`. */
export function bodyBytesFor(hub: HubServer, part: string): number {
  return requestsFor(hub, part)
    .filter((request) => request.status === 200 || request.status === 206)
    .reduce((sum, request) => sum + request.bodyBytesSent, 0);
}
