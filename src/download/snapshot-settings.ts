/**
 * What the settings give every snapshot download, whoever starts it (a
 * recorded download, a one-off pull): the runtime's route to the Hub
 * (proxies and CAs) and bandwidth limit as set now, and the speed, retry and
 * free-disk knobs of the request.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { HubNetwork, HubRuntime, SnapshotRequest } from '../hub/index.js';

export type SnapshotSettings = Pick<
  SnapshotRequest,
  | 'concurrentFiles'
  | 'connectionsPerFile'
  | 'multipartThresholdBytes'
  | 'maxRetries'
  | 'stallTimeoutMs'
  | 'minFreeBytes'
>;

/**
 * Sets the runtime's route to the Hub (proxies and CAs) as the settings say
 * now, before anything asks the Hub: a download, a branch check, a check of
 * a new repository. ValidationError, with its message, for a proxy URL or CA
 * file that cannot be used.
 */
export function useNetworkSettings(runtime: HubRuntime, settings: Settings, env: NodeJS.ProcessEnv): HubNetwork {
  return runtime.http.useNetwork({ env, proxySetting: settings.hubProxy, caBundlePath: settings.hubCaBundle });
}

/**
 * Sets the runtime's route to `endpoint` (useNetworkSettings) and its
 * bandwidth limit from the settings; returns the knobs.
 */
export function snapshotSettings(
  runtime: HubRuntime,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  endpoint: string,
  log: Logger | undefined,
): SnapshotSettings {
  const network = useNetworkSettings(runtime, settings, env);
  runtime.bandwidth.setRate(settings.downloadBandwidthLimit);
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
