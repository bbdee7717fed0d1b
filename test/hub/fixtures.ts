/**
 * Setup shared by the Hub client tests: a temporary cache folder, a test Hub
 * server, and a SnapshotRequest with test-friendly defaults (short retry
 * delays and stall timeout, no free-space reserve) that a test overrides.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadSnapshot, type SnapshotRequest, type SnapshotResult } from '../../src/hub/index.js';
import { startHubServer, type HubRepoSpec, type HubServer, type HubServerOptions } from '../support/hub-server.js';

export interface HubFixture {
  hub: HubServer;
  cacheDir: string;
  /** A request for `repoId` against the fixture's Hub and cache. */
  request(repoId: string, overrides?: Partial<SnapshotRequest>): SnapshotRequest;
  /** downloadSnapshot(request(repoId, overrides)). */
  pull(repoId: string, overrides?: Partial<SnapshotRequest>): Promise<SnapshotResult>;
  cleanup(): Promise<void>;
}

export async function createHubFixture(
  repos: HubRepoSpec[],
  options: Omit<HubServerOptions, 'repos'> = {},
): Promise<HubFixture> {
  const hub = await startHubServer({ ...options, repos });
  const cacheDir = mkdtempSync(join(tmpdir(), 'hfsched-hub-test-'));
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
    bandwidth: null,
    retryBaseDelayMs: 10,
    ...overrides,
  });
  return {
    hub,
    cacheDir,
    request,
    pull: (repoId, overrides) => downloadSnapshot(request(repoId, overrides)),
    async cleanup() {
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
