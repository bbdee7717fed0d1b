/**
 * The bootstrap environment: the few settings needed before the database is
 * open (where it is, how to log). Everything else lives in
 * `system_configurations` (see settings.ts). Validated with env-schema, so a
 * bad value stops the program with a message naming the variable.
 */
import type envSchemaModule from 'env-schema';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';

// env-schema (and its ajv) cost about 0.14 CPU-s at start-up: loaded only when a variable is set.
const require = createRequire(import.meta.url);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface BootstrapEnv {
  /** HFSCHED_DB, else the per-user default (see defaultDatabasePath). */
  databasePath: string;
  /** HFSCHED_LOG_LEVEL; null when unset (the `log.level` setting then decides). */
  logLevel: LogLevel | null;
  /** HFSCHED_LOG_PRETTY: human-readable logs instead of JSON lines. */
  logPretty: boolean;
}

interface RawBootstrapEnv {
  HFSCHED_DB?: string;
  HFSCHED_LOG_LEVEL?: LogLevel;
  HFSCHED_LOG_PRETTY: boolean;
}

const BOOTSTRAP_SCHEMA = {
  type: 'object',
  properties: {
    HFSCHED_DB: { type: 'string', minLength: 1 },
    HFSCHED_LOG_LEVEL: { type: 'string', enum: [...LOG_LEVELS] },
    HFSCHED_LOG_PRETTY: { type: 'boolean', default: false },
  },
} as const;

/** What each variable accepts, for error messages. */
const ACCEPTED: Record<keyof RawBootstrapEnv, string> = {
  HFSCHED_DB: 'a path to the database file',
  HFSCHED_LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  HFSCHED_LOG_PRETTY: 'true or false (also 1 or 0)',
};

/**
 * Where the database lives when neither `--db` nor HFSCHED_DB says:
 * the XDG state directory, because the database is state that should
 * survive a reboot but is not configuration the user edits by hand.
 * https://specifications.freedesktop.org/basedir-spec/latest/
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME;
  // The spec says a relative XDG_* path is invalid and must be ignored.
  if (stateHome !== undefined && stateHome.startsWith('/')) {
    return join(stateHome, 'hfsched', 'hfsched.db');
  }
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.local', 'state', 'hfsched', 'hfsched.db');
}

/** An empty variable means "unset", as shells make it easy to export one by accident. */
function presentOrUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** ajv only coerces "true"/"false"; systemd units and shells often say 1/0. */
function normaliseBoolean(value: string | undefined): string | undefined {
  const present = presentOrUndefined(value);
  if (present === undefined) return undefined;
  const lower = present.toLowerCase();
  if (lower === '1' || lower === 'yes' || lower === 'on') return 'true';
  if (lower === '0' || lower === 'no' || lower === 'off') return 'false';
  return lower;
}

interface AjvErrorLike {
  instancePath?: string;
  params?: { missingProperty?: string };
}

function describeEnvError(error: unknown, data: Record<string, string | undefined>): ValidationError {
  const errors = (error as { errors?: AjvErrorLike[] }).errors ?? [];
  const first = errors[0];
  const name = (first?.instancePath ?? '').replace(/^\//, '') as keyof RawBootstrapEnv;
  if (name in ACCEPTED) {
    return new ValidationError(
      `environment variable ${name}=${JSON.stringify(data[name] ?? '')} is not valid: expected ${ACCEPTED[name]}`,
    );
  }
  return new ValidationError(`bootstrap environment is not valid: ${(error as Error).message}`);
}

/** Reads and validates HFSCHED_DB, HFSCHED_LOG_LEVEL and HFSCHED_LOG_PRETTY. */
export function readBootstrapEnv(env: NodeJS.ProcessEnv = process.env): BootstrapEnv {
  const data: Record<string, string | undefined> = {
    HFSCHED_DB: presentOrUndefined(env.HFSCHED_DB),
    HFSCHED_LOG_LEVEL: presentOrUndefined(env.HFSCHED_LOG_LEVEL)?.toLowerCase(),
    HFSCHED_LOG_PRETTY: normaliseBoolean(env.HFSCHED_LOG_PRETTY),
  };
  for (const key of Object.keys(data)) {
    if (data[key] === undefined) delete data[key];
  }
  let raw: RawBootstrapEnv;
  // Nothing set: nothing to validate, and the schema's one default applies.
  if (Object.keys(data).length === 0) raw = { HFSCHED_LOG_PRETTY: false };
  else
    try {
      const envSchema = (require('env-schema') as { envSchema: typeof envSchemaModule }).envSchema;
      // env: false: validate only what we pass, so callers (and tests) can hand
      // in any environment object, not just process.env.
      raw = envSchema<RawBootstrapEnv>({ schema: BOOTSTRAP_SCHEMA, data, env: false });
    } catch (error) {
      throw describeEnvError(error, data);
    }
  return {
    databasePath: raw.HFSCHED_DB ?? defaultDatabasePath(env),
    logLevel: raw.HFSCHED_LOG_LEVEL ?? null,
    logPretty: raw.HFSCHED_LOG_PRETTY,
  };
}
