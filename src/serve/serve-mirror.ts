/**
 * Running the mirror, the same way for `hfsched serve` and for the daemon:
 * bind, say so once (and warn once when the address reaches beyond this
 * machine), publish the heartbeat for `hfsched status`, and stop cleanly.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { resolveCacheDir } from '../config/hub-location.js';
import type { Settings } from '../config/settings.js';
import type { Store } from '../store/index.js';
import { isLoopbackHost } from '../system/loopback-host.js';
import { MirrorHeartbeat } from './mirror-heartbeat.js';
import { startMirror, type Mirror, type MirrorSettings } from './mirror-server.js';

/** `127.0.0.1:8090`: only this machine reaches it unless the user says otherwise. */
export const DEFAULT_LISTEN = '127.0.0.1:8090';

/** What the mirror reads from the settings. */
export function mirrorSettings(settings: Settings, env: NodeJS.ProcessEnv): MirrorSettings {
  return {
    cacheDir: resolveCacheDir(settings.hubCacheDir, env),
    expose: settings.serveExpose,
    tokensFile: settings.serveTokensFile,
  };
}

export interface ServeOptions {
  store: Store;
  host: string;
  port: number;
  /** The settings now; called at each request. */
  settings: () => MirrorSettings;
  registry: Registry;
  /** Answer GET /metrics on the mirror's port (hfsched serve; the daemon has its own listener). */
  serveMetrics: boolean;
  logger: Logger;
}

export interface ServingMirror {
  mirror: Mirror;
  stop(): Promise<void>;
}

export async function serveMirror(options: ServeOptions): Promise<ServingMirror> {
  const { logger } = options;
  const mirror = await startMirror({
    host: options.host,
    port: options.port,
    store: options.store,
    settings: options.settings,
    registry: options.registry,
    serveMetrics: options.serveMetrics,
    onProblem: (message, error) => logger.error({ err: error }, message),
  });
  const heartbeat = new MirrorHeartbeat(options.store, mirror.metrics, (message, error) =>
    logger.warn({ err: error }, message),
  );
  heartbeat.start(mirror.url);
  if (!isLoopbackHost(options.host)) {
    logger.warn(
      { url: mirror.url, tokensFile: options.settings().tokensFile },
      options.settings().tokensFile === null
        ? 'the mirror is reachable beyond this machine, and open to whoever reaches the port (set serve.tokens_file to ask for tokens)'
        : 'the mirror is reachable beyond this machine; requests need a token of serve.tokens_file',
    );
  }
  logger.info({ url: mirror.url, cacheDir: options.settings().cacheDir }, 'serving the cache as a Hub mirror');
  return {
    mirror,
    async stop() {
      heartbeat.stop();
      await mirror.close();
    },
  };
}
