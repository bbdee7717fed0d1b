/**
 * Typed settings over the `system_configurations` rows: for every key of
 * SETTING_DEFAULTS, what it holds, how a value is checked, whether a running
 * daemon picks a change up without a restart, and which environment variable
 * (if any) overrides it.
 *
 * Precedence, highest first: environment variable, database row, default.
 */
import { ValidationError } from '../errors.js';
import { similarWords } from '../system/similar-words.js';
import { SETTING_DEFAULTS } from './defaults.js';
import type { LogLevel } from './env.js';
import {
  byteCount,
  host,
  httpUrl,
  globList,
  integer,
  logLevel,
  optionalAbsolutePath,
  optionalListenAddress,
  optionalTimeZone,
  port,
  proxySetting,
  SettingValueError,
  type SettingType,
} from './setting-types.js';

export interface SettingSpec {
  key: string;
  type: SettingType;
  /** A running daemon applies a change within seconds, without a restart. */
  live: boolean;
  /** When `live`, what the change affects; when not, why a restart is needed. */
  liveNote: string;
  /** This environment variable, when set and not empty, wins over the database. */
  envVar: string | null;
}

const NEXT_DOWNLOAD = 'downloads that start after the change';

export const SETTING_SPECS: readonly SettingSpec[] = [
  { key: 'hub.endpoint', type: httpUrl(), live: true, liveNote: NEXT_DOWNLOAD, envVar: 'HF_ENDPOINT' },
  { key: 'hub.cache_dir', type: optionalAbsolutePath(), live: true, liveNote: NEXT_DOWNLOAD, envVar: 'HF_HUB_CACHE' },
  { key: 'hub.proxy', type: proxySetting(), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  { key: 'hub.ca_bundle', type: optionalAbsolutePath(), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  { key: 'download.max_retries', type: integer(0, 100), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  { key: 'download.concurrent_files', type: integer(1, 64), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  { key: 'download.connections_per_file', type: integer(1, 16), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  {
    key: 'download.multipart_threshold_bytes',
    type: byteCount(1024 * 1024),
    live: true,
    liveNote: NEXT_DOWNLOAD,
    envVar: null,
  },
  {
    key: 'download.bandwidth_limit',
    type: byteCount(0, { perSecond: true, zeroMeans: 'no limit' }),
    live: true,
    liveNote: 'the shared limit, within seconds',
    envVar: null,
  },
  { key: 'download.stall_timeout_seconds', type: integer(5, 3600), live: true, liveNote: NEXT_DOWNLOAD, envVar: null },
  {
    key: 'download.min_free_bytes',
    type: byteCount(0),
    live: true,
    liveNote: 'downloads that start or wait for space after the change',
    envVar: null,
  },
  {
    key: 'cache.max_bytes',
    type: byteCount(0, { zeroMeans: 'no budget' }),
    live: true,
    liveNote: 'downloads that start or wait for space after the change',
    envVar: null,
  },
  {
    key: 'cache.keep_revisions',
    type: integer(1, 1000),
    live: true,
    liveNote: 'the next update or prune',
    envVar: null,
  },
  {
    key: 'scheduler.timezone',
    type: optionalTimeZone(),
    live: true,
    liveNote: 'the schedule is re-armed in the new zone',
    envVar: null,
  },
  {
    key: 'log.level',
    type: logLevel(),
    live: true,
    liveNote: 'the daemon logger, within seconds',
    envVar: 'HFSCHED_LOG_LEVEL',
  },
  {
    key: 'http.port',
    type: port(),
    live: false,
    liveNote: 'the listener is bound once at start: restart the daemon',
    envVar: null,
  },
  {
    key: 'http.host',
    type: host(),
    live: false,
    liveNote: 'the listener is bound once at start: restart the daemon',
    envVar: null,
  },
  {
    key: 'serve.listen',
    type: optionalListenAddress(),
    live: false,
    liveNote: 'the mirror is bound once at start: restart the daemon',
    envVar: null,
  },
  { key: 'serve.expose', type: globList(), live: true, liveNote: 'the next request to the mirror', envVar: null },
  {
    key: 'serve.tokens_file',
    type: optionalAbsolutePath(),
    live: true,
    liveNote: 'the next request to the mirror',
    envVar: null,
  },
];

export type SettingKey = (typeof SETTING_SPECS)[number]['key'];

/** Every setting, typed; names are the keys in camelCase. */
export interface Settings {
  hubEndpoint: string;
  /** null: the default cache ($HF_HOME/hub, else ~/.cache/huggingface/hub). */
  hubCacheDir: string | null;
  /** '' : the environment's HTTPS_PROXY/HTTP_PROXY/ALL_PROXY; 'direct': none; else a proxy URL. */
  hubProxy: string;
  /** A PEM file of extra certificate authorities; null: the system's only. */
  hubCaBundle: string | null;
  downloadMaxRetries: number;
  downloadConcurrentFiles: number;
  downloadConnectionsPerFile: number;
  downloadMultipartThresholdBytes: number;
  /** Bytes per second; 0 means no limit. */
  downloadBandwidthLimit: number;
  downloadStallTimeoutSeconds: number;
  downloadMinFreeBytes: number;
  /** Snapshots kept per managed repository after an update or a prune (the current one included). */
  cacheKeepRevisions: number;
  /** Budget for the managed repos' bytes in the cache; 0 means none. */
  cacheMaxBytes: number;
  /** Always a concrete IANA zone: the machine's when the setting is empty. */
  schedulerTimezone: string;
  logLevel: LogLevel;
  /** 0: no health/metrics listener. */
  httpPort: number;
  httpHost: string;
  /** '' : the daemon does not serve the mirror; else HOST:PORT. */
  serveListen: string;
  /** Repo ids the mirror serves (datasets as `datasets/{id}`); empty: every managed repo. */
  serveExpose: string[];
  /** A file of bearer tokens, one a line; null: the mirror asks for none. */
  serveTokensFile: string | null;
}

export type SettingSource = 'environment' | 'database' | 'default';

export interface SettingDescription {
  key: string;
  /** The effective value, as text. */
  value: string;
  source: SettingSource;
  description: string;
  live: boolean;
  liveNote: string;
  envVar: string | null;
  type: string;
  default: string;
}

/** The part of the store settings need (the real Store satisfies it). */
export interface SettingsStore {
  getSystemConfig(key: string, defaultValue?: string): string | null;
  setSystemConfig(key: string, value: string, description?: string): boolean;
}

/** The zone this process runs in (honours TZ). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function settingKeys(): string[] {
  return SETTING_SPECS.map((spec) => spec.key);
}

/** The keys a mistyped key may mean: close in spelling, or whose last part it is ("max_retries"). */
function keysLike(typed: string): string[] {
  const close = similarWords(typed, settingKeys());
  if (close.length > 0) return close;
  return settingKeys().filter((key) => key.endsWith(`.${typed.toLowerCase()}`));
}

export function findSettingSpec(key: string): SettingSpec {
  const spec = SETTING_SPECS.find((candidate) => candidate.key === key);
  if (spec === undefined) {
    const like = keysLike(key);
    throw new ValidationError(
      like.length > 0
        ? `unknown setting "${key}"; did you mean ${like.join(' or ')}? (hfsched config list shows them all)`
        : `unknown setting "${key}"; known settings: ${settingKeys().join(', ')}`,
    );
  }
  return spec;
}

function defaultOf(key: string): { value: string; description: string } {
  const found = SETTING_DEFAULTS.find((entry) => entry.key === key);
  if (found === undefined) throw new ValidationError(`setting "${key}" has no default in src/config/defaults.ts`);
  return found;
}

/** A refused value as an error shows it: quoted, with any secret it holds hidden. */
function shownValue(spec: SettingSpec, text: string): string {
  return JSON.stringify(spec.type.hideSecrets?.(text) ?? text);
}

/**
 * Checks `text` for the setting `key` and returns its canonical form
 * (e.g. "64MiB" -> "67108864"). ValidationError names the key, the value and
 * what is accepted.
 */
export function validateSettingValue(key: string, text: string): string {
  const spec = findSettingSpec(key);
  try {
    return spec.type.canonical(text);
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    throw new ValidationError(`${key}: ${shownValue(spec, text)} is not valid; expected ${spec.type.accepted}`);
  }
}

function environmentValue(spec: SettingSpec, env: NodeJS.ProcessEnv): string | null {
  if (spec.envVar === null) return null;
  const text = env[spec.envVar];
  return text === undefined || text === '' ? null : text;
}

interface EffectiveValue {
  value: string;
  source: SettingSource;
}

function effectiveValue(spec: SettingSpec, store: SettingsStore, env: NodeJS.ProcessEnv): EffectiveValue {
  const fromEnv = environmentValue(spec, env);
  if (fromEnv !== null) {
    try {
      return { value: spec.type.canonical(fromEnv), source: 'environment' };
    } catch (error) {
      if (!(error instanceof SettingValueError)) throw error;
      throw new ValidationError(
        `environment variable ${spec.envVar}=${shownValue(spec, fromEnv)} (for ${spec.key}) is not valid; expected ${spec.type.accepted}`,
      );
    }
  }
  const fallback = defaultOf(spec.key).value;
  const stored = store.getSystemConfig(spec.key);
  if (stored === null) return { value: fallback, source: 'default' };
  let value: string;
  try {
    value = spec.type.canonical(stored);
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    throw new ValidationError(
      `setting ${spec.key} holds ${shownValue(spec, stored)} in the database, which is not valid (expected ${spec.type.accepted}); fix it with: hfsched config set ${spec.key} <value>`,
    );
  }
  return { value, source: value === spec.type.canonical(fallback) ? 'default' : 'database' };
}

/** The effective text of one setting (environment, database or default). */
export function readSettingText(store: SettingsStore, key: string, env: NodeJS.ProcessEnv = process.env): string {
  return effectiveValue(findSettingSpec(key), store, env).value;
}

/** The zone schedules are read in: `scheduler.timezone`, else the machine's. */
export function scheduleTimeZone(store: SettingsStore, env: NodeJS.ProcessEnv = process.env): string {
  const zone = readSettingText(store, 'scheduler.timezone', env);
  return zone === '' ? machineTimeZone() : zone;
}

/** The effective value of every setting, typed. Throws ValidationError for a bad value. */
export function readSettings(store: SettingsStore, env: NodeJS.ProcessEnv = process.env): Settings {
  const values = new Map(SETTING_SPECS.map((spec) => [spec.key, effectiveValue(spec, store, env).value]));
  const text = (key: SettingKey): string => values.get(key) ?? defaultOf(key).value;
  const number = (key: SettingKey): number => Number(text(key));
  const cacheDir = text('hub.cache_dir');
  const timezone = text('scheduler.timezone');
  return {
    hubEndpoint: text('hub.endpoint'),
    hubCacheDir: cacheDir === '' ? null : cacheDir,
    hubProxy: text('hub.proxy'),
    hubCaBundle: text('hub.ca_bundle') === '' ? null : text('hub.ca_bundle'),
    downloadMaxRetries: number('download.max_retries'),
    downloadConcurrentFiles: number('download.concurrent_files'),
    downloadConnectionsPerFile: number('download.connections_per_file'),
    downloadMultipartThresholdBytes: number('download.multipart_threshold_bytes'),
    downloadBandwidthLimit: number('download.bandwidth_limit'),
    downloadStallTimeoutSeconds: number('download.stall_timeout_seconds'),
    downloadMinFreeBytes: number('download.min_free_bytes'),
    cacheKeepRevisions: number('cache.keep_revisions'),
    cacheMaxBytes: number('cache.max_bytes'),
    // Asked of the machine only when read: the first use of Intl costs about 25 ms of start-up.
    get schedulerTimezone(): string {
      return timezone === '' ? machineTimeZone() : timezone;
    },
    logLevel: text('log.level') as LogLevel,
    httpPort: number('http.port'),
    httpHost: text('http.host'),
    serveListen: text('serve.listen'),
    serveExpose: text('serve.expose') === '' ? [] : text('serve.expose').split(','),
    serveTokensFile: text('serve.tokens_file') === '' ? null : text('serve.tokens_file'),
  };
}

function describeSpec(spec: SettingSpec, effective: EffectiveValue): SettingDescription {
  const fallback = defaultOf(spec.key);
  return {
    key: spec.key,
    value: effective.value,
    source: effective.source,
    description: fallback.description,
    live: spec.live,
    liveNote: spec.liveNote,
    envVar: spec.envVar,
    type: spec.type.name,
    default: fallback.value,
  };
}

/** One row per setting: effective value, where it came from, and its documentation. */
export function describeSettings(store: SettingsStore, env: NodeJS.ProcessEnv = process.env): SettingDescription[] {
  return SETTING_SPECS.map((spec) => describeSpec(spec, effectiveValue(spec, store, env)));
}

/** The row of one setting (ValidationError for an unknown key). */
export function describeSetting(
  store: SettingsStore,
  key: string,
  env: NodeJS.ProcessEnv = process.env,
): SettingDescription {
  const spec = findSettingSpec(key);
  return describeSpec(spec, effectiveValue(spec, store, env));
}

/**
 * Validates and stores a setting; nothing changes when the key or the value
 * is refused. Returns the canonical text that was stored.
 */
export function setSetting(store: SettingsStore, key: string, text: string): string {
  const canonical = validateSettingValue(key, text);
  store.setSystemConfig(key, canonical, defaultOf(key).description);
  return canonical;
}

/**
 * Returns a setting to its default (`hfsched config unset`): the row keeps
 * existing, holding the default, as `hfsched init` seeds it. Returns the default.
 */
export function unsetSetting(store: SettingsStore, key: string): string {
  findSettingSpec(key);
  return setSetting(store, key, defaultOf(key).value);
}

/** A setting's canonical value as people read it: sizes and rates in binary units ("20.0 MiB/s"). */
export function humanSettingValue(key: string, value: string): string {
  const spec = findSettingSpec(key);
  return value === '' || spec.type.shown === undefined ? value : spec.type.shown(value);
}
