/**
 * The test Hub in its own process, so that the benchmark measures the
 * client and the server does not take the client's core (the machine may
 * have only two). Started by run.ts with a JSON workload as its argument;
 * prints one JSON line (BenchHubReady) when ready; answers "stats" lines on
 * stdin with one JSON line of request counts; exits when stdin closes.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { TINY_REPO } from './clients.js';
import { startHubServer, type HubFileSpec, type HubRepoSpec } from '../test/support/hub-server.js';

export interface BenchHubConfig {
  /** Large LFS files on disk, one repository each, with their sha256 computed by the caller (so the server does not hash them again). */
  large: { repoId: string; path: string; diskPath: string; sha256: string; repeat?: number }[];
  /** Many small regular (non-LFS) files, generated in memory. */
  small: { repoId: string; count: number; minBytes: number; maxBytes: number; perFolder: number };
  /** Optional: a repository of `count` LFS files of `bytes` each, generated in memory. */
  medium?: { repoId: string; count: number; bytes: number };
  /** Per-connection cap on file bodies, or null. */
  throttleBytesPerSecond: number | null;
  /**
   * The server's certificate and key (a throwaway CA's, test/support/test-ca.ts): the Hub
   * serves https, as the real one does, and a twin serves the same repositories over plain
   * http (BenchHubReady.httpUrl), for the secondary lines.
   */
  tls: { cert: string; key: string } | null;
}

export interface BenchHubReady {
  /** https when the config has tls, else http. */
  url: string;
  cdnUrl: string;
  /** The plain-http twin of `url` (the same repositories), or null without tls. */
  httpUrl: string | null;
  /** The small and medium files' paths and sizes, for the reference tools' URL lists. */
  smallFiles: { path: string; size: number }[];
  mediumFiles: { path: string; size: number }[];
}

export interface BenchHubStats {
  requests: number;
  /** File-body responses (200/206 with bytes) on each host. */
  hubBodies: number;
  cdnBodies: number;
  rangeRequests: number;
  errors: number;
  bodyBytes: number;
  /** When the first request since the last stats arrived, in ms since the epoch (performance.timeOrigin based), or null. */
  firstRequestAt: number | null;
}

/** Deterministic layout, random content: sizes spread evenly over [minBytes, maxBytes]. */
function smallFiles(config: BenchHubConfig['small']): (HubFileSpec & { content: Buffer })[] {
  const files: (HubFileSpec & { content: Buffer })[] = [];
  for (let i = 0; i < config.count; i++) {
    const size =
      config.minBytes + Math.floor((((i * 7919) % config.count) / config.count) * (config.maxBytes - config.minBytes));
    const folder = String(Math.floor(i / config.perFolder)).padStart(3, '0');
    files.push({
      path: `shards/${folder}/part-${String(i).padStart(5, '0')}.txt`,
      content: randomBytes(size),
      lfs: false,
    });
  }
  return files;
}

function mediumFiles(config: BenchHubConfig['medium']): (HubFileSpec & { content: Buffer })[] {
  if (config === undefined) return [];
  return Array.from({ length: config.count }, (_, i) => ({
    path: `shards/part-${String(i).padStart(5, '0')}.safetensors`,
    content: randomBytes(config.bytes),
    lfs: true,
  }));
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as BenchHubConfig;
  const small = smallFiles(config.small);
  const medium = mediumFiles(config.medium);
  const repos: HubRepoSpec[] = [
    ...config.large.map((large) => ({
      id: large.repoId,
      revisions: {
        main: [
          {
            path: large.path,
            content: { diskPath: large.diskPath, sha256: large.sha256, repeat: large.repeat ?? 1 },
            lfs: true,
          },
        ],
      },
    })),
    { id: config.small.repoId, revisions: { main: small } },
    ...(config.medium ? [{ id: config.medium.repoId, revisions: { main: medium } }] : []),
    // One small file: what the start-up measurement pulls (extra-measurements.ts).
    { id: TINY_REPO, revisions: { main: [{ path: 'config.json', content: '{"bench": true}\n' }] } },
  ];
  const hub = await startHubServer({ repos, ...(config.tls ? { tls: config.tls } : {}) });
  const plain = config.tls ? await startHubServer({ repos }) : null;
  const hubs = plain ? [hub, plain] : [hub];
  if (config.throttleBytesPerSecond !== null)
    for (const each of hubs) each.addFault({ kind: 'throttle', bytesPerSecond: config.throttleBytesPerSecond });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'stats') {
      const requests = hubs.flatMap((each) => each.requests);
      const bodies = requests.filter((r) => (r.status === 200 || r.status === 206) && r.method === 'GET');
      const first = Math.min(...requests.map((r) => r.receivedAt));
      const stats: BenchHubStats = {
        requests: requests.length,
        hubBodies: bodies.filter((r) => r.host === 'hub' && !r.path.startsWith('/api/')).length,
        cdnBodies: bodies.filter((r) => r.host === 'cdn').length,
        rangeRequests: requests.filter((r) => r.range !== null).length,
        errors: requests.filter((r) => r.status >= 400).length,
        bodyBytes: requests.reduce((sum, r) => sum + r.bodyBytesSent, 0),
        firstRequestAt: requests.length > 0 ? performance.timeOrigin + first : null,
      };
      for (const each of hubs) each.clearLog();
      process.stdout.write(`${JSON.stringify(stats)}\n`);
    }
  });
  lines.on('close', () => {
    void Promise.all(hubs.map((each) => each.close())).then(() => process.exit(0));
  });
  const ready: BenchHubReady = {
    url: hub.url,
    cdnUrl: hub.cdnUrl,
    httpUrl: plain?.url ?? null,
    smallFiles: small.map((f) => ({ path: f.path, size: f.content.length })),
    mediumFiles: medium.map((f) => ({ path: f.path, size: f.content.length })),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

await main();
