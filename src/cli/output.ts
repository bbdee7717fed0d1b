/**
 * How the CLI prints: aligned plain-text tables and key/value blocks for
 * people, one JSON document for scripts (`--json`), and times in one zone (sizes
 * and durations: src/system/human-units.ts). Only presentation; no command logic.
 */
import type { Writable } from 'node:stream';
import { printable } from '../system/printable.js';

/**
 * SQLite's CURRENT_TIMESTAMP is UTC without a zone ("2024-05-01 12:00:00");
 * anything with an explicit zone (ISO 8601) is taken as it says.
 */
export function parseTimestamp(text: string): Date | null {
  const trimmed = text.trim();
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const iso = trimmed.replace(' ', 'T') + (hasZone ? '' : 'Z');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function partsIn(date: Date, timeZone: string | undefined): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  });
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

/**
 * Every time printed for people is in one zone, `scheduler.timezone` (else the
 * machine's, as the scheduler reads it), and says which: on the time itself
 * ("2024-05-01 14:00:00 Europe/Paris"), or, in a table or a list, once in its
 * column's header ("STARTED (Europe/Paris)", see `inZone`), where `label` is
 * false. JSON keeps ISO 8601 UTC. docs/cli.md, "Times".
 */
export interface TimeLabel {
  /** Append the zone's name (default true); false under a header that names it. */
  label?: boolean;
}

function labelled(text: string, timeZone: string, options: TimeLabel): string {
  return options.label === false ? text : `${text} ${timeZone}`;
}

/** "2024-05-01 14:00:00 Europe/Paris" in `timeZone`; "-" for null. */
export function formatTime(value: string | Date | null | undefined, timeZone: string, options: TimeLabel = {}): string {
  if (value === null || value === undefined) return '-';
  const date = typeof value === 'string' ? parseTimestamp(value) : value;
  if (date === null) return typeof value === 'string' ? value : '-';
  const p = partsIn(date, timeZone);
  return labelled(`${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`, timeZone, options);
}

/** "Sun 2024-05-05 01:30 Europe/Paris" in `timeZone` (schedule times: the weekday, seconds only when not :00). */
export function formatTimeInZone(date: Date, timeZone: string, options: TimeLabel = {}): string {
  const p = partsIn(date, timeZone);
  const seconds = p.second === '00' ? '' : `:${p.second}`;
  return labelled(`${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds}`, timeZone, options);
}

/** A column header or list title that names the zone of the unlabelled times under it: "STARTED (Europe/Paris)". */
export function inZone(header: string, timeZone: string): string {
  return `${header} (${timeZone})`;
}

/** Columns separated by two spaces, padded to the widest cell; no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** "Label:  value" lines, labels aligned. */
export function renderKeyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length + 1));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`).join('\n') + '\n';
}

/**
 * Where a command writes: results on stdout, notes and errors on stderr.
 * `quiet` (the global -q/--quiet) keeps confirmations and notes back; results
 * and errors are always printed.
 */
export class Output {
  quiet = false;

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
  ) {}

  /** Whether the command printed its JSON document (then a failure after it adds no error document). */
  wroteJson = false;

  /** One JSON document (the `--json` result). */
  json(value: unknown): void {
    this.wroteJson = true;
    this.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** Text for people; a trailing newline is added when missing. Control characters are escaped (src/system/printable.ts). */
  text(text: string): void {
    this.stdout.write(printable(text.endsWith('\n') ? text : text + '\n'));
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    this.stdout.write(printable(renderTable(headers, rows)));
  }

  keyValues(pairs: readonly (readonly [string, string])[]): void {
    this.stdout.write(printable(renderKeyValues(pairs)));
  }

  /** The confirmation of a change ("Removed ..."), on stdout; not printed with --quiet. */
  done(text: string): void {
    if (!this.quiet) this.text(text);
  }

  /** A one-line note on stderr, so that stdout stays a clean result; not printed with --quiet. */
  note(message: string): void {
    if (this.quiet) return;
    this.stderr.write(`hfsched: note: ${printable(message)}\n`);
  }

  /** The one-line error of a failed command. */
  error(message: string): void {
    this.stderr.write(`hfsched: ${printable(message)}\n`);
  }
}
