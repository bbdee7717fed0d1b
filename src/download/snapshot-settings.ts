/**
 * What the settings give every snapshot download, whoever starts it (a
 * recorded download, a one-off pull): the route to the Hub (proxies and CAs
 * as set now) and the speed, retry and free-disk knobs of the request.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { useHubNetwork, type SnapshotRequest } from '../hub/index.js';

export type SnapshotSettings = Pick<
  SnapshotRequest,
  | 'concurrentFiles'
  | 'connectionsPerFile'
  | 'multipartThresholdBytes'
  | 'maxRetries'
  | 'stallTimeoutMs'
  | 'minFreeBytes'
>;

/** Sets the process's route to `endpoint` from the settings (a bad CA file throws, with its message). */
export function snapshotSettings(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  endpoint: string,
  log: Logger | undefined,
): SnapshotSettings {
  const network = useHubNetwork({
    env,
    proxySetting: settings.hubProxy,
    caBundlePath: settings.hubCaBundle,
  });
  log?.debug({ route: network.describeRoute(new URL(endpoint)) }, 'route to the Hub');
  return {
    concurrentFiles: settings.downloadConcurrentFiles,
    connectionsPerFile: settings.downloadConnectionsPerFile,
    multipartThresholdBytes: settings.downloadMultipartThresholdBytes,
    maxRetries: settings.downloadMaxRetries,
    stallTimeoutMs: settings.downloadStallTimeoutSeconds * 1000,
    minFreeBytes: settings.downloadMinFreeBytes,
  };
}
