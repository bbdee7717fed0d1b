/**
 * Every setting in one table: its default, its description, how a value is
 * checked, whether a running daemon picks a change up, the environment
 * variable that overrides it, and its typed value. `SettingKey`, `Settings`
 * and `SETTING_DEFAULTS` (what `hfsched init` seeds) derive from it, so a
 * setting without a default or a check does not compile. The settings
 * reference (docs/configuration.md) is this table.
 *
 * To add a setting: one entry here (keys are `part.name_in_snake_case`; its
 * `Settings` field is the key in camelCase), then a line in
 * docs/configuration.md.
 */
import type { LogLevel } from './env.js';
import {
  byteCount,
  globList,
  host,
  httpUrl,
  integer,
  logLevel,
  optionalAbsolutePath,
  optionalListenAddress,
  optionalTimeZone,
  port,
  proxySetting,
  type SettingType,
} from './setting-types.js';

export interface SettingEntry {
  /** Stored as text, like every `system_configurations` value. */
  default: string;
  description: string;
  type: SettingType;
  /** A running daemon applies a change within seconds, without a restart. */
  live: boolean;
  /** When `live`, what the change affects; when not, why a restart is needed. */
  liveNote: string;
  /** This environment variable, when set and not empty, wins over the database. */
  envVar: string | null;
  /** The typed value (a `Settings` field) from the checked, canonical text. */
  read: (canonical: string) => unknown;
}

/** The zone this process runs in (honours TZ). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const text = (canonical: string): string => canonical;
/** Empty means "not set": null. */
const textOrNull = (canonical: string): string | null => (canonical === '' ? null : canonical);
const number = (canonical: string): number => Number(canonical);
/** Comma-separated; empty means none. */
const list = (canonical: string): string[] => (canonical === '' ? [] : canonical.split(','));
/** Always a concrete IANA zone: the machine's when the setting is empty. */
const timeZoneOrMachine = (canonical: string): string => (canonical === '' ? machineTimeZone() : canonical);
const logLevelOf = (canonical: string): LogLevel => canonical as LogLevel;

const NEXT_DOWNLOAD = 'downloads that start after the change';

export const SETTING_TABLE = {
  'hub.endpoint': {
    default: 'https://huggingface.co',
    description: 'The Hub or a mirror; the HF_ENDPOINT environment variable overrides it.',
    type: httpUrl(),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: 'HF_ENDPOINT',
    read: text,
  },
  'hub.cache_dir': {
    default: '',
    description:
      'The Hugging Face cache folder; HF_HUB_CACHE overrides it; empty means $HF_HOME/hub, else ~/.cache/huggingface/hub.',
    type: optionalAbsolutePath(),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: 'HF_HUB_CACHE',
    read: textOrNull,
  },
  'hub.proxy': {
    default: '',
    description:
      'Proxy for Hub and CDN requests (http://host:port, no credentials), "direct" for none; empty means HTTPS_PROXY, HTTP_PROXY, ALL_PROXY. NO_PROXY applies either way.',
    type: proxySetting(),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: text,
  },
  'hub.ca_bundle': {
    default: '',
    description:
      'A PEM file of certificate authorities trusted in addition to the system ones (e.g. a TLS-inspecting proxy); empty means none.',
    type: optionalAbsolutePath(),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: textOrNull,
  },
  'download.max_retries': {
    default: '5',
    description:
      'Retries of one request after a network error, 5xx or 429; also how many times a failed model is retried by the scheduler.',
    type: integer(0, 100),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: number,
  },
  'download.concurrent_files': {
    default: '16',
    description:
      'Most files of one model downloaded at the same time; it starts with 8 (or this, when lower) and adds more while they raise the rate.',
    type: integer(1, 64),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: number,
  },
  'download.connections_per_file': {
    default: '16',
    description:
      'Most connections (byte ranges) for one large file; it starts with one and adds more while they raise the rate.',
    type: integer(1, 16),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: number,
  },
  'download.multipart_threshold_bytes': {
    default: String(64 * 1024 * 1024),
    description: 'Files at least this large are fetched over several connections.',
    type: byteCount(1024 * 1024),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: number,
  },
  'download.bandwidth_limit': {
    default: '0',
    description: 'Bytes per second shared by every download of the process; 0 means no limit.',
    type: byteCount(0, { perSecond: true, zeroMeans: 'no limit' }),
    live: true,
    liveNote: 'the shared limit, within seconds',
    envVar: null,
    read: number,
  },
  'download.stall_timeout_seconds': {
    default: '60',
    description: 'A connection that delivers no byte for this long is dropped and resumed.',
    type: integer(5, 3600),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
    read: number,
  },
  'download.min_free_bytes': {
    default: String(1024 * 1024 * 1024),
    description: 'Free space to keep on the cache disk beyond what a download needs.',
    type: byteCount(0),
    live: true,
    liveNote: 'downloads that start or wait for space after the change',
    envVar: null,
    read: number,
  },
  'cache.keep_revisions': {
    default: '2',
    description:
      'Snapshots kept per managed repository (the current one and the ones before it); older ones, their refs and unshared blobs are removed after an update and by hfsched cache prune.',
    type: integer(1, 1000),
    live: true,
    liveNote: 'the next update or prune',
    envVar: null,
    read: number,
  },
  'cache.max_bytes': {
    default: '0',
    description:
      "Budget for the managed repos' bytes in the cache; a download that would go over waits. 0 means no budget.",
    type: byteCount(0, { zeroMeans: 'no budget' }),
    live: true,
    liveNote: 'downloads that start or wait for space after the change',
    envVar: null,
    read: number,
  },
  'scheduler.timezone': {
    default: '',
    description: "IANA time zone of schedule times (e.g. Europe/Paris); empty means the machine's.",
    type: optionalTimeZone(),
    live: true,
    liveNote: 'the schedule is re-armed in the new zone',
    envVar: null,
    read: timeZoneOrMachine,
  },
  'log.level': {
    default: 'info',
    description: 'pino log level (fatal, error, warn, info, debug, trace); HFSCHED_LOG_LEVEL overrides it.',
    type: logLevel(),
    live: true,
    liveNote: 'the daemon logger, within seconds',
    envVar: 'HFSCHED_LOG_LEVEL',
    read: logLevelOf,
  },
  'http.port': {
    default: '0',
    description: 'Port of the health and metrics listener; 0 turns it off.',
    type: port(),
    live: false,
    liveNote: 'the listener is bound once at start: restart the daemon',
    envVar: null,
    read: number,
  },
  'http.host': {
    default: '127.0.0.1',
    description: 'Address the health and metrics listener binds to.',
    type: host(),
    live: false,
    liveNote: 'the listener is bound once at start: restart the daemon',
    envVar: null,
    read: text,
  },
  'serve.listen': {
    default: '',
    description:
      'HOST:PORT where the daemon also serves the cache as a Hub mirror (hfsched serve); empty: it does not serve.',
    type: optionalListenAddress(),
    live: false,
    liveNote: 'the mirror is bound once at start: restart the daemon',
    envVar: null,
    read: text,
  },
  'serve.expose': {
    default: '',
    description:
      'Glob patterns of the repo ids the mirror serves (datasets as datasets/org/name), comma-separated; empty: every managed repo.',
    type: globList(),
    live: true,
    liveNote: 'the next request to the mirror',
    envVar: null,
    read: list,
  },
  'serve.tokens_file': {
    default: '',
    description:
      'A file of bearer tokens, one a line: the mirror answers 401 to a request without one of them; empty: no token asked.',
    type: optionalAbsolutePath(),
    live: true,
    liveNote: 'the next request to the mirror',
    envVar: null,
    read: textOrNull,
  },
} as const satisfies Record<string, SettingEntry>;

export type SettingKey = keyof typeof SETTING_TABLE;

/** `download.max_retries` -> `downloadMaxRetries`. */
type CamelCase<Key extends string> = Key extends `${infer Head}.${infer Rest}`
  ? `${Head}${Capitalize<CamelCase<Rest>>}`
  : Key extends `${infer Head}_${infer Rest}`
    ? `${Head}${Capitalize<CamelCase<Rest>>}`
    : Key;

/** The `Settings` field of a key, as the type above spells it. */
export function settingField(key: string): string {
  return key.replace(/[._]([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Every setting, typed; names are the keys in camelCase. */
export type Settings = {
  -readonly [Key in SettingKey as CamelCase<Key>]: ReturnType<(typeof SETTING_TABLE)[Key]['read']>;
};

export interface SettingDefault {
  key: string;
  /** Stored as text, like every `system_configurations` value. */
  value: string;
  description: string;
}

/** The rows `initializeDatabase` seeds (without overwriting a value a user set). */
export const SETTING_DEFAULTS: readonly SettingDefault[] = Object.entries(SETTING_TABLE).map(([key, entry]) => ({
  key,
  value: entry.default,
  description: entry.description,
}));
