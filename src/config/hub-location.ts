/**
 * Where the Hub is, where its cache lives, and which token to send: the same
 * environment variables, in the same order, as the official Python client
 * (huggingface_hub/constants.py), so that a machine already set up for
 * `transformers` needs nothing more.
 *
 * The token is read from the environment or a file, never from the database,
 * and it is never logged: callers get it as a value to pass on, nothing else.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Where the token came from (for `hfsched config`-style reports; never the token itself). */
export type TokenSource = 'HF_TOKEN' | 'systemd credential' | 'HF_TOKEN_PATH' | 'HF_HOME token file' | 'none';

export interface HubLocation {
  /** Without a trailing slash. */
  endpoint: string;
  cacheDir: string;
  token: string | null;
  tokenSource: TokenSource;
}

/** The settings this module reads (a subset of `Settings` from settings.ts). */
export interface HubLocationSettings {
  hubEndpoint: string;
  /** null or empty: the default location. */
  hubCacheDir: string | null;
}

type Env = NodeJS.ProcessEnv;

/** An environment variable, or null when it is unset or empty (as Python's clients treat them). */
function envValue(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value;
}

/** `~/x` -> `/home/me/x`, like Python's os.path.expanduser on these variables. */
function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`. */
export function huggingFaceHome(env: Env = process.env): string {
  const hfHome = envValue(env, 'HF_HOME');
  if (hfHome !== null) return expandHome(hfHome);
  const xdgCache = envValue(env, 'XDG_CACHE_HOME');
  return join(xdgCache !== null ? expandHome(xdgCache) : join(homedir(), '.cache'), 'huggingface');
}

/** `HF_ENDPOINT` over the `hub.endpoint` setting; no trailing slash. */
export function resolveEndpoint(settingValue: string, env: Env = process.env): string {
  const chosen = envValue(env, 'HF_ENDPOINT') ?? (settingValue.trim() === '' ? DEFAULT_ENDPOINT : settingValue);
  return chosen.trim().replace(/\/+$/, '');
}

/** `HF_HUB_CACHE` over the `hub.cache_dir` setting, else `$HF_HOME/hub` (see huggingFaceHome). */
export function resolveCacheDir(settingValue: string | null, env: Env = process.env): string {
  const fromEnv = envValue(env, 'HF_HUB_CACHE');
  if (fromEnv !== null) return expandHome(fromEnv);
  if (settingValue !== null && settingValue.trim() !== '') return expandHome(settingValue.trim());
  return join(huggingFaceHome(env), 'hub');
}

/** Where the effective cache folder came from, for `hfsched config get hub.cache_dir`. */
export type CacheDirOrigin =
  'HF_HUB_CACHE' | 'hub.cache_dir setting' | 'HF_HOME' | 'XDG_CACHE_HOME' | 'default (~/.cache/huggingface/hub)';

/** The cache folder resolveCacheDir picks, with the rule that picked it. */
export function explainCacheDir(
  settingValue: string | null,
  env: Env = process.env,
): { path: string; origin: CacheDirOrigin } {
  const path = resolveCacheDir(settingValue, env);
  if (envValue(env, 'HF_HUB_CACHE') !== null) return { path, origin: 'HF_HUB_CACHE' };
  if (settingValue !== null && settingValue.trim() !== '') return { path, origin: 'hub.cache_dir setting' };
  if (envValue(env, 'HF_HOME') !== null) return { path, origin: 'HF_HOME' };
  if (envValue(env, 'XDG_CACHE_HOME') !== null) return { path, origin: 'XDG_CACHE_HOME' };
  return { path, origin: 'default (~/.cache/huggingface/hub)' };
}

/** The trimmed content of a token file, or null if it is missing or empty. */
function readTokenFile(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  const token = text.trim();
  return token === '' ? null : token;
}

/**
 * The Hub token, first found: `HF_TOKEN`; `$CREDENTIALS_DIRECTORY/hf_token`
 * (systemd LoadCredential=hf_token:...); the file named by `HF_TOKEN_PATH`;
 * `$HF_HOME/token` (where `huggingface-cli login` writes it). Whitespace is trimmed.
 */
export function readToken(env: Env = process.env): { token: string | null; source: TokenSource } {
  const fromEnv = envValue(env, 'HF_TOKEN');
  if (fromEnv !== null) return { token: fromEnv.trim(), source: 'HF_TOKEN' };

  const credentials = envValue(env, 'CREDENTIALS_DIRECTORY');
  if (credentials !== null) {
    const token = readTokenFile(join(credentials, 'hf_token'));
    if (token !== null) return { token, source: 'systemd credential' };
  }

  const tokenPath = envValue(env, 'HF_TOKEN_PATH');
  if (tokenPath !== null) {
    const token = readTokenFile(expandHome(tokenPath));
    if (token !== null) return { token, source: 'HF_TOKEN_PATH' };
    // An explicit HF_TOKEN_PATH replaces $HF_HOME/token, as in huggingface_hub.
    return { token: null, source: 'none' };
  }

  const token = readTokenFile(join(huggingFaceHome(env), 'token'));
  if (token !== null) return { token, source: 'HF_HOME token file' };
  return { token: null, source: 'none' };
}

/** Endpoint, cache folder and token for a download, from the settings and the environment. */
export function resolveHubLocation(settings: HubLocationSettings, env: Env = process.env): HubLocation {
  const { token, source } = readToken(env);
  return {
    endpoint: resolveEndpoint(settings.hubEndpoint, env),
    cacheDir: resolveCacheDir(settings.hubCacheDir, env),
    token,
    tokenSource: source,
  };
}
