/**
 * The kinds of value a setting can hold, each with the check that turns a
 * user's text into the canonical text stored in `system_configurations`.
 * A check returns the canonical text, or throws a SettingValueError saying
 * what is accepted; settings.ts turns that into a ValidationError naming the
 * key and the value.
 */
import { isIP } from 'node:net';
import { isAbsolute, normalize } from 'node:path';
import { formatBytes } from '../system/human-units.js';
import { LOG_LEVELS } from './env.js';

/** A value that does not fit its kind; `accepted` says what would. */
export class SettingValueError extends Error {
  constructor(readonly accepted: string) {
    super(accepted);
    this.name = 'SettingValueError';
  }
}

export interface SettingType {
  /** Short name for the configuration reference, e.g. "integer 1..64". */
  readonly name: string;
  /** What is accepted, for error messages. */
  readonly accepted: string;
  /** The canonical text for `text`; throws SettingValueError. */
  canonical(text: string): string;
  /** The canonical text as people read it (e.g. "20.0 MiB/s"), when it differs from the stored form. */
  shown?(canonical: string): string;
}

export function httpUrl(): SettingType {
  const accepted = 'an http:// or https:// URL without credentials, query or fragment (e.g. https://huggingface.co)';
  return {
    name: 'URL (http or https)',
    accepted,
    canonical(text) {
      let url: URL;
      try {
        url = new URL(text.trim());
      } catch {
        throw new SettingValueError(accepted);
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        throw new SettingValueError(accepted);
      }
      // Credentials in the URL would end up in logs; the token has its own channel (HF_TOKEN).
      if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        throw new SettingValueError(accepted);
      }
      // Without the trailing slash, `${endpoint}/api/...` builds clean URLs.
      return url.href.replace(/\/+$/, '');
    },
  };
}

/** An absolute folder, or empty for "the default location". */
export function optionalAbsolutePath(): SettingType {
  const accepted = 'an absolute path, or an empty value for the default location';
  return {
    name: 'absolute path or empty',
    accepted,
    canonical(text) {
      const trimmed = text.trim();
      if (trimmed === '') return '';
      if (!isAbsolute(trimmed) || trimmed.includes('\0')) throw new SettingValueError(accepted);
      const normalised = normalize(trimmed);
      return normalised.length > 1 ? normalised.replace(/\/+$/, '') : normalised;
    },
  };
}

function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

export function integer(min: number, max: number): SettingType {
  const accepted = `a whole number from ${min} to ${max}`;
  return {
    name: `integer ${min}..${max}`,
    accepted,
    canonical(text) {
      const value = parseWholeNumber(text);
      if (value === null || value < min || value > max) throw new SettingValueError(accepted);
      return String(value);
    },
  };
}

/**
 * Decimal units are powers of 1000, binary units powers of 1024 (IEC 80000-13).
 * A single letter (`20M`, `512k`) is binary, as curl's `--limit-rate` and
 * aria2c's `--max-download-limit` read it, so a value copied from either
 * means the same here.
 */
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Parses "1048576", "64MiB", "1.5 GB", "20M"; with `perSecond`, also "20M/s". null when it is not a byte count. */
export function parseByteCount(text: string, perSecond = false): number | null {
  const trimmed = text.trim();
  const withoutRate = perSecond ? trimmed.replace(/\s*\/\s*s$/i, '') : trimmed;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(withoutRate);
  if (match === null) return null;
  const [, amount = '', unitText = ''] = match;
  const unit = unitText === '' ? 1 : BYTE_UNITS[unitText.toLowerCase()];
  if (unit === undefined) return null;
  const value = Math.floor(Number(amount) * unit);
  return Number.isSafeInteger(value) ? value : null;
}

export interface ByteCountOptions {
  /** A rate (bytes per second): "20M/s" is accepted and it is shown with "/s". */
  perSecond?: boolean;
  /** What 0 means, shown next to it ("no limit"). */
  zeroMeans?: string;
}

/** A number of bytes, stored as a plain integer; units accepted on input, shown in binary units. */
export function byteCount(min: number, options: ByteCountOptions = {}): SettingType {
  const rate = options.perSecond === true;
  const accepted =
    `a number of bytes${rate ? ' per second' : ''} of at least ${min}, optionally with a unit ` +
    `(K, M, G, T as in curl and aria2c, and KiB, MiB, GiB, TiB: powers of 1024; kB, MB, GB, TB: powers of 1000), e.g. ${rate ? '20M' : '64MiB'}`;
  return {
    name: `${min === 0 ? 'bytes' : `bytes >= ${min}`}${rate ? ' per second' : ''} (units accepted)`,
    accepted,
    canonical(text) {
      const value = parseByteCount(text, rate);
      if (value === null || value < min) throw new SettingValueError(accepted);
      return String(value);
    },
    shown(canonical) {
      const value = Number(canonical);
      if (value === 0 && options.zeroMeans !== undefined) return `0 (${options.zeroMeans})`;
      return `${formatBytes(value)}${rate ? '/s' : ''}`;
    },
  };
}

/** Whether the running JavaScript engine knows this IANA zone. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function optionalTimeZone(): SettingType {
  const accepted =
    "an IANA time zone such as Europe/Paris, America/New_York or UTC, or an empty value for the machine's zone";
  return {
    name: 'IANA time zone or empty',
    accepted,
    canonical(text) {
      const trimmed = text.trim();
      if (trimmed === '') return '';
      if (!isValidTimeZone(trimmed)) throw new SettingValueError(accepted);
      // Intl accepts any letter case; store the zone's canonical spelling.
      return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
    },
  };
}

export function logLevel(): SettingType {
  const accepted = `one of ${LOG_LEVELS.join(', ')}`;
  return {
    name: 'log level',
    accepted,
    canonical(text) {
      const lower = text.trim().toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(lower)) throw new SettingValueError(accepted);
      return lower;
    },
  };
}

/** RFC 1123 host names: labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function host(): SettingType {
  const accepted = 'an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or a host name (e.g. localhost)';
  return {
    name: 'host (IP address or name)',
    accepted,
    canonical(text) {
      const trimmed = text.trim();
      if (isIP(trimmed) !== 0 || HOST_NAME.test(trimmed)) return trimmed;
      throw new SettingValueError(accepted);
    },
  };
}

export function port(): SettingType {
  const range = integer(0, 65535);
  return {
    name: 'port 0..65535 (0 = off)',
    accepted: `a port number from 1 to 65535, or 0 to turn it off`,
    canonical: range.canonical,
  };
}

/**
 * `hub.proxy`: empty (the environment decides), `direct` (no proxy), or an
 * http(s) proxy URL. Credentials are refused: settings are stored in the
 * database and shown by `config list`; a proxy password goes in HTTPS_PROXY.
 */
export function proxySetting(): SettingType {
  const accepted =
    'an http:// or https:// proxy URL without credentials (e.g. http://proxy.corp:3128), "direct" for no proxy, or empty to use HTTPS_PROXY/HTTP_PROXY/ALL_PROXY; a proxy password belongs in HTTPS_PROXY, never in the database';
  return {
    name: 'proxy URL, "direct" or empty',
    accepted,
    canonical(text) {
      const trimmed = text.trim();
      if (trimmed === '') return '';
      if (trimmed.toLowerCase() === 'direct') return 'direct';
      let url: URL;
      try {
        url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
      } catch {
        throw new SettingValueError(accepted);
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        throw new SettingValueError(accepted);
      }
      if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '')) {
        throw new SettingValueError(accepted);
      }
      return url.origin;
    },
  };
}

/** `HOST:PORT` (`[::1]:8090` for IPv6) -> its parts; null when it is not one. Port 0 means any free port. */
export function parseListenAddress(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return null;
  const hostText = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) return null;
  if (match[1] !== undefined && isIP(hostText) !== 6) return null;
  if (isIP(hostText) === 0 && !HOST_NAME.test(hostText)) return null;
  return { host: hostText, port };
}

/** A listening address (`HOST:PORT`), or empty for "off". */
export function optionalListenAddress(): SettingType {
  const accepted = 'HOST:PORT (e.g. 127.0.0.1:8090, 0.0.0.0:8090, [::1]:8090), or an empty value for off';
  return {
    name: 'HOST:PORT or empty',
    accepted,
    canonical(text) {
      const trimmed = text.trim();
      if (trimmed === '') return '';
      const address = parseListenAddress(trimmed);
      if (address === null || address.port === 0) throw new SettingValueError(accepted);
      return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
    },
  };
}

/** Glob patterns separated by commas or spaces; stored as one comma-separated list. Empty means none. */
export function globList(): SettingType {
  const accepted = 'glob patterns separated by commas (e.g. "org/*, other/model"), or an empty value';
  return {
    name: 'glob list or empty',
    accepted,
    canonical(text) {
      const patterns = text
        .split(/[,\s]+/)
        .map((pattern) => pattern.trim())
        .filter((pattern) => pattern !== '');
      if (patterns.some((pattern) => pattern.includes('\0'))) throw new SettingValueError(accepted);
      return patterns.join(',');
    },
  };
}
