/**
 * `hfsched serve [--listen HOST:PORT]`: serves the cache as a Hub mirror in
 * the foreground until SIGTERM or Ctrl-C (docs/serve.md). The address is
 * --listen, else the setting `serve.listen`, else 127.0.0.1:8090.
 */
import type { Command } from 'commander';
import { createLogger } from '../config/logger.js';
import { parseListenAddress } from '../config/setting-types.js';
import { readSettings, type Settings } from '../config/settings.js';
import { ValidationError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { CliContext } from './context.js';

interface ServeOptions {
  listen?: string;
}

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('serve the managed repos from the cache as a Hugging Face Hub mirror (HF_ENDPOINT for other machines)')
    .option('--listen <host:port>', 'address to listen on (default: the setting serve.listen, else 127.0.0.1:8090)')
    .addHelpText(
      'after',
      '\nClients use it with HF_ENDPOINT=http://HOST:PORT; other hfsched with: hfsched config set hub.endpoint http://HOST:PORT' +
        '\nIt serves each managed repo at the commit hfsched last completed, read-only and offline. See docs/serve.md.',
    )
    .action(async (options: ServeOptions) => {
      const boot = context.bootstrap();
      const { openStore } = await import('../store/index.js');
      const store = openStore(context.databasePath());
      let settings: Settings;
      try {
        settings = readSettings(store, context.env);
      } catch (error) {
        store.close();
        throw error;
      }
      const { DEFAULT_LISTEN, mirrorSettings, serveMirror } = await import('../serve/serve-mirror.js');
      const listenText = options.listen ?? (settings.serveListen === '' ? DEFAULT_LISTEN : settings.serveListen);
      const address = parseListenAddress(listenText);
      if (address === null) {
        store.close();
        throw new ValidationError(
          `--listen: ${JSON.stringify(listenText)} is not HOST:PORT (e.g. 127.0.0.1:8090, 0.0.0.0:8090, [::1]:8090)`,
        );
      }
      const logger = createLogger({ level: boot.logLevel ?? settings.logLevel, pretty: boot.logPretty });
      const { Registry, collectDefaultMetrics } = await import('prom-client');
      const registry = new Registry();
      collectDefaultMetrics({ register: registry, prefix: 'hfsched_' });
      const live = liveSettings(store, context.env, settings, (error) =>
        logger.error({ err: error }, 'the settings cannot be read; the mirror keeps the last good ones'),
      );
      const serving = await serveMirror({
        store,
        host: address.host,
        port: address.port,
        settings: () => mirrorSettings(live(), context.env),
        registry,
        serveMetrics: true,
        logger,
      }).catch((error: unknown) => {
        store.close();
        throw error;
      });
      const exitCode = await new Promise<number>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'signal received: the mirror stops');
          serving
            .stop()
            .then(() => resolve(0))
            .catch((error: unknown) => {
              logger.error({ err: error }, 'the mirror did not stop cleanly');
              resolve(1);
            });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      store.close();
      logger.flush();
      process.exit(exitCode);
    });
}

/**
 * The settings, read again when another process committed to the database
 * (`PRAGMA data_version`), looked at no more than once a second: `hfsched
 * config set serve.expose …` applies to the next requests without a restart.
 */
function liveSettings(
  store: Store,
  env: NodeJS.ProcessEnv,
  initial: Settings,
  onError: (error: unknown) => void,
): () => Settings {
  let settings = initial;
  let version = store.dataVersion();
  let checkedAt = Date.now();
  return () => {
    if (Date.now() - checkedAt < 1000) return settings;
    checkedAt = Date.now();
    try {
      const now = store.dataVersion();
      if (now !== version) {
        settings = readSettings(store, env);
        version = now;
      }
    } catch (error) {
      onError(error);
    }
    return settings;
  };
}
