/**
 * The logger: pino, one JSON line per event on stdout (what journald,
 * Docker and log shippers expect); human-readable only when asked for
 * (HFSCHED_LOG_PRETTY=true), through pino-pretty.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import { hideUrlCredentials } from '../system/url-credentials.js';
import type { LogLevel } from './env.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  pretty: boolean;
  /** Where lines go; stdout when omitted. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * Paths whose values never reach a log line. The Hub token travels as
 * `Authorization: Bearer ...`; code that logs a request or an options object
 * must not leak it. pino's `*` matches one level, hence the explicit depths.
 * https://getpino.io/#/docs/redaction
 */
export const REDACTED_PATHS: readonly string[] = [
  'token',
  '*.token',
  '*.*.token',
  'hfToken',
  '*.hfToken',
  'authorization',
  '*.authorization',
  'Authorization',
  '*.Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.*.headers.authorization',
  '*.*.headers.Authorization',
];

type PrettyFactory = typeof import('pino-pretty');

/**
 * pino-pretty is a development dependency: a production install may not have
 * it. Asking for pretty logs then falls back to JSON instead of crashing.
 */
function loadPinoPretty(): PrettyFactory | null {
  try {
    const require = createRequire(import.meta.url);
    return require('pino-pretty') as PrettyFactory;
  } catch {
    return null;
  }
}

function prettyDestination(destination: DestinationStream | undefined): DestinationStream | null {
  const pinoPretty = loadPinoPretty();
  if (pinoPretty === null) return null;
  // sync: a daemon that exits on SIGTERM must not lose its last lines.
  return pinoPretty({ sync: true, colorize: false, destination: destination ?? 1 });
}

/** A log line's own fields and its error, with the credentials of any URL in them hidden. */
function hideCredentialsInFields(fields: Record<string, unknown>): Record<string, unknown> {
  const hidden: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    hidden[key] = typeof value === 'string' ? hideUrlCredentials(value) : value;
  }
  return hidden;
}

function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = hideUrlCredentials(serialized.message);
  serialized.stack = hideUrlCredentials(serialized.stack);
  return serialized;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { name: 'hfsched', pid: process.pid },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    // A URL's password never reaches a line: not in the message, a field or an error.
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...args: unknown[]) => void): void {
        method.apply(
          this,
          args.map((arg: unknown) => (typeof arg === 'string' ? hideUrlCredentials(arg) : arg)),
        );
      },
    },
    formatters: { log: hideCredentialsInFields },
    serializers: { err: serializeError },
  };
  if (options.pretty) {
    const pretty = prettyDestination(options.destination);
    if (pretty !== null) return pino(base, pretty);
    const logger = pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
    logger.warn('pretty logs were asked for but pino-pretty is not installed; logging JSON lines');
    return logger;
  }
  // sync: log volume is low (a few lines per download) and the last lines
  // before an exit matter most.
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
