/**
 * What a Hub answer says about its rate limit. Three spellings exist:
 *
 * - IETF draft-ietf-httpapi-ratelimit-headers (version 9 and later), which
 *   the Hub sends (https://huggingface.co/docs/hub/rate-limits): structured
 *   field lists, one member per policy,
 *     RateLimit: "resolvers";r=2999;t=120          (r remaining, t seconds to reset)
 *     RateLimit-Policy: "fixed window";"resolvers";q=3000;w=300   (q quota, w window)
 *   https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 * - the draft's earlier versions: RateLimit-Limit / RateLimit-Remaining /
 *   RateLimit-Reset (delta seconds), or one `RateLimit: limit=…, remaining=…, reset=…`;
 * - the common X-RateLimit-Limit / -Remaining / -Reset, where Reset is delta
 *   seconds or, as GitHub sends it, a Unix time.
 *
 * Pure functions: text in, numbers out; anything unreadable is ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RateLimitReading {
  /** The policy's name ("resolvers", "api"), when the answer names one. */
  policy: string | null;
  /** Requests left in the current window: a whole number (a fraction is floored). */
  remaining: number;
  /** Milliseconds until the window resets (the budget is full again). */
  resetMs: number;
  /** Requests allowed per window, when announced. */
  quota: number | null;
}

/** Unix times in seconds are above this (2001-09-09); smaller reset values are delta seconds. */
const UNIX_SECONDS_FLOOR = 1e9;
const UNIX_MILLISECONDS_FLOOR = 1e12;
/** The longest reset honoured (the Hub's window is 5 minutes). */
const MAX_RESET_WAIT_MS = 10 * 60_000;

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function nonNegative(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number(text.trim());
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Requests left, floored: a request is whole, and `r=0.001` means none.
 * Spreading 0.001 requests over a window would wait a thousand windows.
 */
function requestsLeft(text: string | undefined): number | null {
  const value = nonNegative(text);
  return value === null ? null : Math.floor(value);
}

/** Splits on `separator` outside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

interface ListMember {
  /** The quoted strings of the member; the last one is the policy name. */
  names: string[];
  params: Map<string, string>;
}

/** A structured-field list such as `"a";r=1;t=2, "b";r=3;t=4` (RFC 8941, read leniently). */
function parseList(text: string): ListMember[] {
  return splitOutsideQuotes(text, ',').map((member) => {
    const names: string[] = [];
    const params = new Map<string, string>();
    for (const item of splitOutsideQuotes(member, ';')) {
      const equals = item.indexOf('=');
      if (item.startsWith('"')) names.push(item.replace(/^"|"$/g, ''));
      else if (equals > 0) params.set(item.slice(0, equals).trim().toLowerCase(), item.slice(equals + 1).trim());
      else names.push(item);
    }
    return { names, params };
  });
}

/** Quotas of `RateLimit-Policy`, by policy name. */
function policyQuotas(headers: IncomingHttpHeaders): Map<string, number> {
  const quotas = new Map<string, number>();
  const text = headerText(headers, 'ratelimit-policy');
  if (text === undefined) return quotas;
  for (const member of parseList(text)) {
    const quota = nonNegative(member.params.get('q'));
    if (quota !== null) quotas.set(member.names.at(-1) ?? '', quota);
  }
  return quotas;
}

/** `RateLimit: "name";r=..;t=..` (draft 9+), or the dictionary form `limit=.., remaining=.., reset=..`. */
function fromRateLimitField(headers: IncomingHttpHeaders): RateLimitReading[] {
  const text = headerText(headers, 'ratelimit');
  if (text === undefined) return [];
  const members = parseList(text);
  const dictionary = new Map(
    members.flatMap((member) => [...member.params].filter(([key]) => ['limit', 'remaining', 'reset'].includes(key))),
  );
  if (dictionary.has('remaining')) {
    const remaining = requestsLeft(dictionary.get('remaining'));
    const reset = nonNegative(dictionary.get('reset'));
    if (remaining === null || reset === null) return [];
    return [{ policy: null, remaining, resetMs: reset * 1000, quota: nonNegative(dictionary.get('limit')) }];
  }
  const quotas = policyQuotas(headers);
  const readings: RateLimitReading[] = [];
  for (const member of members) {
    const remaining = requestsLeft(member.params.get('r'));
    const reset = nonNegative(member.params.get('t'));
    if (remaining === null || reset === null) continue;
    const policy = member.names.at(-1) ?? null;
    readings.push({ policy, remaining, resetMs: reset * 1000, quota: quotas.get(policy ?? '') ?? null });
  }
  return readings;
}

/** Reset as delta seconds, Unix seconds or Unix milliseconds, in ms from `now`. */
function resetDelayMs(value: number, now: number): number {
  if (value >= UNIX_MILLISECONDS_FLOOR) return Math.max(0, value - now);
  if (value >= UNIX_SECONDS_FLOOR) return Math.max(0, value * 1000 - now);
  return value * 1000;
}

/** `RateLimit-Remaining` (earlier drafts) or `X-RateLimit-Remaining`, with their Limit and Reset. */
function fromSeparateFields(headers: IncomingHttpHeaders, prefix: string, now: number): RateLimitReading[] {
  const remaining = requestsLeft(headerText(headers, `${prefix}-remaining`));
  const reset = nonNegative(headerText(headers, `${prefix}-reset`));
  if (remaining === null || reset === null) return [];
  return [
    {
      policy: null,
      remaining,
      resetMs: resetDelayMs(reset, now),
      quota: nonNegative(headerText(headers, `${prefix}-limit`)),
    },
  ];
}

/**
 * Every rate-limit reading of an answer (none when it carries no such header).
 * The IETF field wins over the older spellings when both are present.
 */
export function readRateLimits(headers: IncomingHttpHeaders, now = Date.now()): RateLimitReading[] {
  const ietf = fromRateLimitField(headers);
  if (ietf.length > 0) return ietf;
  const earlierDraft = fromSeparateFields(headers, 'ratelimit', now);
  if (earlierDraft.length > 0) return earlierDraft;
  return fromSeparateFields(headers, 'x-ratelimit', now);
}

/** For a 429 without Retry-After: the time until the tightest budget resets, or null. */
export function rateLimitResetMs(headers: IncomingHttpHeaders, now = Date.now()): number | null {
  const readings = readRateLimits(headers, now);
  if (readings.length === 0) return null;
  // Capped like Retry-After: a bad header must not park a download for hours.
  return Math.min(MAX_RESET_WAIT_MS, Math.max(...readings.map((reading) => reading.resetMs)));
}
