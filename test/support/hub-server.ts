/**
 * A Hub-compatible test server on loopback: the model API, `resolve` with
 * LFS redirects to a second "CDN" host, ranges, the Hub's error codes, private
 * and gated repos, renamed repos, a request log and switchable faults
 * (drop, stall, 5xx/429, corrupt, throttle, expired CDN URLs) and a hostile
 * mode (looping pages, huge JSON, lying sizes: hub-server/hostile.ts).
 *
 *   const hub = await startHubServer({ repos: [{ id: 'org/tiny', revisions: { main: [
 *     { path: 'config.json', content: '{}' },
 *     { path: 'model.safetensors', content: Buffer.alloc(1024) },
 *   ] } }] });
 *   hub.addFault({ kind: 'drop', pathContains: 'model.safetensors', afterBytes: 100, times: 1 });
 *   ...
 *   await hub.close();
 *
 * The code is in ./hub-server/; this file is the entry point.
 */
export { startHubServer } from './hub-server/server.js';
export { gitBlobSha1, lfsPointer } from './hub-server/repo-store.js';
export type {
  Fault,
  HubDiskContent,
  HostileMode,
  HubFileInfo,
  HubFileSpec,
  HubRepoSpec,
  HubServer,
  HubServerOptions,
  LoggedRequest,
  RateLimitSpec,
} from './hub-server/types.js';
