/**
 * `hfsched cache ls`: `cache list` with the words of `hf cache ls`
 * (huggingface_hub 1.x, `cli/cache.py`:
 * https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/cache.py),
 * over the repositories hfsched manages:
 *
 *   -f/--filter KEY OP VALUE   size>1GB, type=model, accessed>7d, modified<30d, refs=main
 *                              (repeatable; =, !=, >, <, >=, <=; type and refs take = only)
 *   --sort KEY[:asc|:desc]     accessed, modified, size (newest/biggest first), name (A-Z)
 *   --revisions                one row per revision instead of per repository
 *
 * Sizes are decimal as in huggingface_hub's `parse_size` (1GB = 10^9 bytes;
 * K, M, G, T, P, with or without B); durations take s, m, h, d, w, mo, y.
 */
import { ValidationError } from '../errors.js';
import type { RepoUsage } from '../hub/index.js';

/** One row: a repository, or one of its revisions with --revisions. */
export interface CacheRow {
  /** `model/org/name` or `dataset/org/name`, as `hf cache ls` names them. */
  id: string;
  repoType: 'model' | 'dataset';
  revision: string | null;
  sizeOnDisk: number;
  lastAccessedAt: Date | null;
  lastModifiedAt: Date | null;
  refs: string[];
}

const FILTER = /^(?<key>[a-zA-Z_]+)\s*(?<op>==|!=|>=|<=|>|<|=)\s*(?<value>.+)$/;
const SORT = /^(?<key>[a-z_]+)(?::(?<order>asc|desc))?$/;
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const TIME_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, mo: 2592000, y: 31536000 };

function parseWithUnit(value: string, units: Record<string, number>, what: string, stripB: boolean): number {
  const match = /^(\d+)\s*([a-zA-Z]*)$/.exec(value.trim());
  let unit = match?.[2]?.toLowerCase() ?? '';
  if (stripB && unit.length > 1 && unit.endsWith('b')) unit = unit.slice(0, -1);
  if (stripB && unit === 'b') unit = '';
  const multiplier = match === null ? undefined : units[unit];
  if (multiplier === undefined)
    throw new ValidationError(
      `invalid ${what} "${value}": a whole number and one of ${Object.keys(units).filter(Boolean).join(', ')}`,
    );
  return Number(match![1]) * multiplier;
}

function compare(left: number | null, op: string, right: number): boolean {
  if (left === null) return false;
  switch (op) {
    case '=':
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '>':
      return left > right;
    case '<':
      return left < right;
    case '>=':
      return left >= right;
    default:
      return left <= right;
  }
}

/** A `--filter` expression as a test of a row; ValidationError (exit 2) when it cannot be read. */
export function compileFilter(expression: string, now: Date): (row: CacheRow) => boolean {
  const match = FILTER.exec(expression.trim());
  if (match === null) throw new ValidationError(`invalid filter "${expression}": expected KEY OP VALUE, e.g. size>1GB`);
  const { key, op, value } = match.groups as { key: string; op: string; value: string };
  switch (key.toLowerCase()) {
    case 'size': {
      const bytes = parseWithUnit(value, SIZE_UNITS, 'size', true);
      return (row) => compare(row.sizeOnDisk, op, bytes);
    }
    case 'accessed':
    case 'modified': {
      const seconds = parseWithUnit(value, TIME_UNITS, 'duration', false);
      const accessed = key.toLowerCase() === 'accessed';
      return (row) => {
        const at = accessed ? row.lastAccessedAt : row.lastModifiedAt;
        return compare(at === null ? null : (now.getTime() - at.getTime()) / 1000, op, seconds);
      };
    }
    case 'type':
    case 'refs': {
      if (op !== '=') throw new ValidationError(`invalid filter "${expression}": ${key} takes = only`);
      const wanted = value.trim().toLowerCase();
      return key.toLowerCase() === 'type'
        ? (row) => row.repoType === wanted
        : (row) => row.refs.some((ref) => ref.toLowerCase() === wanted);
    }
    default:
      throw new ValidationError(
        `invalid filter "${expression}": the key must be one of accessed, modified, refs, size, type`,
      );
  }
}

/** A `--sort` expression as a comparison of rows; ValidationError when it cannot be read. */
export function compileSort(expression: string): (a: CacheRow, b: CacheRow) => number {
  const match = SORT.exec(expression.trim().toLowerCase());
  const key = match?.groups?.['key'];
  if (match === null || key === undefined || !['accessed', 'modified', 'name', 'size'].includes(key))
    throw new ValidationError(
      `invalid sort "${expression}": one of accessed, modified, name, size, with :asc or :desc`,
    );
  const descending = (match.groups?.['order'] ?? (key === 'name' ? 'asc' : 'desc')) === 'desc';
  const value = (row: CacheRow): number | string =>
    key === 'name'
      ? row.id.toLowerCase()
      : key === 'size'
        ? row.sizeOnDisk
        : ((key === 'accessed' ? row.lastAccessedAt : row.lastModifiedAt)?.getTime() ?? 0);
  return (a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  };
}

/** The rows of one repository: itself, or each of its revisions. */
export function rowsOf(usage: RepoUsage, withRevisions: boolean): CacheRow[] {
  const id = `${usage.repoType}/${usage.repoId}`;
  if (!withRevisions)
    return [
      {
        id,
        repoType: usage.repoType,
        revision: null,
        sizeOnDisk: usage.sizeOnDisk,
        lastAccessedAt: usage.lastAccessedAt,
        lastModifiedAt: usage.lastModifiedAt,
        refs: Object.keys(usage.refs).sort(),
      },
    ];
  return [...usage.snapshots]
    .sort((a, b) => (a.commit < b.commit ? -1 : 1))
    .map((snapshot) => ({
      id,
      repoType: usage.repoType,
      revision: snapshot.commit,
      sizeOnDisk: snapshot.sizeOnDisk,
      lastAccessedAt: usage.lastAccessedAt,
      lastModifiedAt: snapshot.modifiedAt,
      refs: snapshot.refs,
    }));
}
