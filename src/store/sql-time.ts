/** Timestamps as the store writes them: SQLite's UTC `YYYY-MM-DD HH:MM:SS.SSS`. */
import { isoTimestamp } from './row-mapping.js';

/** SQL for the current time, as every timestamp column holds it. */
export const SQL_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/** A JavaScript date as SQLite's UTC `YYYY-MM-DD HH:MM:SS.SSS`, the format of every timestamp column. */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function isoOrNull(text: string | null): string | null {
  return text === null ? null : isoTimestamp(text);
}
