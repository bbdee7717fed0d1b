/**
 * Typed settings over the `system_configurations` rows, for every key of the
 * table in setting-table.ts: reading them, checking and storing a value,
 * describing them for `hfsched config`.
 *
 * Precedence, highest first: environment variable, database row, default.
 */
import { hideUrlCredentials } from '../system/url-credentials.js';
import { ValidationError } from '../errors.js';
import { similarWords } from '../system/similar-words.js';
import { machineTimeZone, SETTING_TABLE, settingField, type SettingEntry, type Settings } from './setting-table.js';
import { SettingValueError } from './setting-types.js';

export { machineTimeZone, type SettingKey, type Settings } from './setting-table.js';

export interface SettingSpec extends SettingEntry {
  key: string;
}

export const SETTING_SPECS: readonly SettingSpec[] = Object.entries(SETTING_TABLE).map(([key, entry]) => ({
  key,
  ...entry,
}));

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
  config: {
    get(key: string): string | null;
    set(key: string, value: string, options: { description: string }): boolean;
  };
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
  const { default: value, description } = findSettingSpec(key);
  return { value, description };
}

/**
 * A refused value as an error shows it: quoted, with the credentials of any
 * URL in it hidden (HF_ENDPOINT=http://user:password@host reaches every
 * command's error, and so the journal).
 */
function shownValue(text: string): string {
  return JSON.stringify(hideUrlCredentials(text));
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
    throw new ValidationError(`${key}: ${shownValue(text)} is not valid; expected ${spec.type.accepted}`);
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
        `environment variable ${spec.envVar}=${shownValue(fromEnv)} (for ${spec.key}) is not valid; expected ${spec.type.accepted}`,
      );
    }
  }
  const fallback = defaultOf(spec.key).value;
  const stored = store.config.get(spec.key);
  if (stored === null) return { value: fallback, source: 'default' };
  let value: string;
  try {
    value = spec.type.canonical(stored);
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    throw new ValidationError(
      `setting ${spec.key} holds ${shownValue(stored)} in the database, which is not valid (expected ${spec.type.accepted}); fix it with: hfsched config set ${spec.key} <value>`,
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

/**
 * The effective value of every setting, typed. Throws ValidationError for a
 * bad value. Each field is computed when first read: the machine's time zone
 * costs about 25 ms of start-up the first time Intl is used.
 */
export function readSettings(store: SettingsStore, env: NodeJS.ProcessEnv = process.env): Settings {
  const settings: Record<string, unknown> = {};
  for (const spec of SETTING_SPECS) {
    const canonical = effectiveValue(spec, store, env).value;
    const field = settingField(spec.key);
    const settle = (value: unknown): void => {
      Object.defineProperty(settings, field, { value, enumerable: true, writable: true, configurable: true });
    };
    Object.defineProperty(settings, field, {
      enumerable: true,
      configurable: true,
      get() {
        const value = spec.read(canonical);
        settle(value);
        return value;
      },
      set: settle,
    });
  }
  return settings as Settings;
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
  store.config.set(key, canonical, { description: defaultOf(key).description });
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
