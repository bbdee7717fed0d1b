/**
 * The documented `system_configurations` keys and their defaults.
 * `initializeDatabase` seeds these rows (without overwriting a value a user
 * set); `src/config/settings.ts` adds validation and typed access on top.
 * The settings reference (docs/configuration.md) is this table.
 */

export interface SettingDefault {
  key: string;
  /** Stored as text, like every `system_configurations` value. */
  value: string;
  description: string;
}

export const SETTING_DEFAULTS: readonly SettingDefault[] = [
  {
    key: 'hub.endpoint',
    value: 'https://huggingface.co',
    description: 'The Hub or a mirror; the HF_ENDPOINT environment variable overrides it.',
  },
  {
    key: 'hub.cache_dir',
    value: '',
    description:
      'The Hugging Face cache folder; HF_HUB_CACHE overrides it; empty means $HF_HOME/hub, else ~/.cache/huggingface/hub.',
  },
  {
    key: 'hub.proxy',
    value: '',
    description:
      'Proxy for Hub and CDN requests (http://host:port, no credentials), "direct" for none; empty means HTTPS_PROXY, HTTP_PROXY, ALL_PROXY. NO_PROXY applies either way.',
  },
  {
    key: 'hub.ca_bundle',
    value: '',
    description:
      'A PEM file of certificate authorities trusted in addition to the system ones (e.g. a TLS-inspecting proxy); empty means none.',
  },
  {
    key: 'download.max_retries',
    value: '5',
    description:
      'Retries of one request after a network error, 5xx or 429; also how many times a failed model is retried by the scheduler.',
  },
  {
    key: 'download.concurrent_files',
    value: '16',
    description:
      'Most files of one model downloaded at the same time; it starts with 8 (or this, when lower) and adds more while they raise the rate.',
  },
  {
    key: 'download.connections_per_file',
    value: '16',
    description:
      'Most connections (byte ranges) for one large file; it starts with one and adds more while they raise the rate.',
  },
  {
    key: 'download.multipart_threshold_bytes',
    value: String(64 * 1024 * 1024),
    description: 'Files at least this large are fetched over several connections.',
  },
  {
    key: 'download.bandwidth_limit',
    value: '0',
    description: 'Bytes per second shared by every download of the process; 0 means no limit.',
  },
  {
    key: 'download.stall_timeout_seconds',
    value: '60',
    description: 'A connection that delivers no byte for this long is dropped and resumed.',
  },
  {
    key: 'download.min_free_bytes',
    value: String(1024 * 1024 * 1024),
    description: 'Free space to keep on the cache disk beyond what a download needs.',
  },
  {
    key: 'cache.keep_revisions',
    value: '2',
    description:
      'Snapshots kept per managed repository (the current one and the ones before it); older ones, their refs and unshared blobs are removed after an update and by hfsched cache prune.',
  },
  {
    key: 'cache.max_bytes',
    value: '0',
    description:
      "Budget for the managed repos' bytes in the cache; a download that would go over waits. 0 means no budget.",
  },
  {
    key: 'scheduler.timezone',
    value: '',
    description: "IANA time zone of schedule times (e.g. Europe/Paris); empty means the machine's.",
  },
  {
    key: 'log.level',
    value: 'info',
    description: 'pino log level (fatal, error, warn, info, debug, trace); HFSCHED_LOG_LEVEL overrides it.',
  },
  {
    key: 'http.port',
    value: '0',
    description: 'Port of the health and metrics listener; 0 turns it off.',
  },
  {
    key: 'http.host',
    value: '127.0.0.1',
    description: 'Address the health and metrics listener binds to.',
  },
  {
    key: 'serve.listen',
    value: '',
    description:
      'HOST:PORT where the daemon also serves the cache as a Hub mirror (hfsched serve); empty: it does not serve.',
  },
  {
    key: 'serve.expose',
    value: '',
    description:
      'Glob patterns of the repo ids the mirror serves (datasets as datasets/org/name), comma-separated; empty: every managed repo.',
  },
  {
    key: 'serve.tokens_file',
    value: '',
    description:
      'A file of bearer tokens, one a line: the mirror answers 401 to a request without one of them; empty: no token asked.',
  },
];
