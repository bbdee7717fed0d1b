/**
 * The tree listing of huggingface_hub 1.22+ (`_tree_cache.py`,
 * https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/_tree_cache.py):
 * `{repo folder}/trees/{commit}.json`, every file of a commit with what the
 * tree endpoint says of it. A commit never changes, so a listing is kept
 * until its revision is pruned, and both clients use it instead of asking
 * the Hub again.
 *
 *   {"format_version": 1, "files": {path: {"size", "blob_id", "lfs_sha256"?, "lfs_size"?, "xet_hash"?}}}
 *
 * Written the way Python writes it (`json.dump(data, f, indent=1)`): paths
 * sorted by code point, one-space indent, `ensure_ascii` escapes, no final
 * newline, so that both clients write the same bytes for the same commit.
 * Written aside and renamed into place; a listing in an unknown format, or
 * one that does not parse, is ignored.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoCacheLayout } from './cache-layout.js';
import { writeFileDurably } from './durable-files.js';
import { ensureRealDir } from './safe-paths.js';

export const TREE_LISTING_FORMAT_VERSION = 1;

export interface TreeListingEntry {
  path: string;
  size: number;
  /** The git blob sha1 (of the LFS pointer, for an LFS file). */
  blobId: string;
  lfsSha256: string | null;
  lfsSize: number | null;
  xetHash: string | null;
}

export function treeListingPath(layout: RepoCacheLayout, commit: string): string {
  return join(layout.repoDir, 'trees', `${commit}.json`);
}

/** Printable ASCII but `"` and `\`: written as it is (every hash, most paths). */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string as Python's json.dumps writes it with ensure_ascii (its default). */
function pythonJsonString(value: string): string {
  if (VERBATIM.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const char = value[i]!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    // Printable ASCII stays; everything else (controls, DEL, non-ASCII as UTF-16 units) is \uXXXX.
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Python's `sorted()` of str: by code point (JavaScript's default sort compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A UTF-16 surrogate: only paths holding one sort differently by code point than by code unit. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * One file's entry as `json.dump(..., indent=1)` writes it at its depth, its
 * keys in TreeCacheEntry.to_json's order. Written straight, not through a
 * generic serializer: the listing is formatted once per commit, before the
 * JIT has warmed up, and a model may list thousands of files.
 */
function fileEntryJson(path: string, entry: TreeListingEntry): string {
  let text = `  ${pythonJsonString(path)}: {\n   "size": ${entry.size},\n   "blob_id": ${pythonJsonString(entry.blobId)}`;
  if (entry.lfsSha256 !== null) {
    text += `,\n   "lfs_sha256": ${pythonJsonString(entry.lfsSha256)},\n   "lfs_size": ${entry.lfsSize ?? entry.size}`;
  }
  if (entry.xetHash !== null) text += `,\n   "xet_hash": ${pythonJsonString(entry.xetHash)}`;
  return `${text}\n  }`;
}

/** The listing's bytes, as huggingface_hub writes them. */
export function formatTreeListing(entries: readonly TreeListingEntry[]): string {
  // A path listed twice keeps its last entry, as a dict would.
  const byPath = new Map<string, TreeListingEntry>();
  for (const entry of entries) byPath.set(entry.path, entry);
  const paths = [...byPath.keys()];
  // Without surrogates, code-unit order (the native default sort) is code-point order: no
  // comparison function called, nor each path split into code points (byCodePoint).
  if (paths.some((path) => SURROGATE.test(path))) paths.sort(byCodePoint);
  else paths.sort();
  const filesJson =
    paths.length === 0 ? '{}' : `{\n${paths.map((path) => fileEntryJson(path, byPath.get(path)!)).join(',\n')}\n }`;
  return `{\n "format_version": ${TREE_LISTING_FORMAT_VERSION},\n "files": ${filesJson}\n}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isSize = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const optionalString = (value: unknown): string | null | undefined =>
  value === undefined || value === null ? null : typeof value === 'string' ? value : undefined;

/**
 * The listing of `commit`, or null when there is none, it does not parse, or
 * its format is not version 1 (the official reader ignores those too).
 */
export function readTreeListing(layout: RepoCacheLayout, commit: string): TreeListingEntry[] | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(treeListingPath(layout, commit), 'utf8'));
  } catch {
    return null;
  }
  if (!isRecord(data) || data['format_version'] !== TREE_LISTING_FORMAT_VERSION || !isRecord(data['files']))
    return null;
  const entries: TreeListingEntry[] = [];
  for (const [path, info] of Object.entries(data['files'])) {
    if (!isRecord(info) || !isSize(info['size']) || typeof info['blob_id'] !== 'string') return null;
    const lfsSha256 = optionalString(info['lfs_sha256']);
    const xetHash = optionalString(info['xet_hash']);
    const lfsSize = info['lfs_size'] === undefined || info['lfs_size'] === null ? null : info['lfs_size'];
    if (lfsSha256 === undefined || xetHash === undefined || (lfsSize !== null && !isSize(lfsSize))) return null;
    entries.push({ path, size: info['size'], blobId: info['blob_id'], lfsSha256, lfsSize, xetHash });
  }
  return entries;
}

/**
 * Writes the listing of `commit` (aside, fsync, rename). Best effort, as the
 * official client's: the snapshot is complete without it.
 */
export function writeTreeListing(
  layout: RepoCacheLayout,
  commit: string,
  entries: readonly TreeListingEntry[],
): boolean {
  const target = treeListingPath(layout, commit);
  try {
    ensureRealDir(layout.cacheDir, join(layout.repoDir, 'trees'));
    writeFileDurably(`${target}.${randomBytes(4).toString('hex')}.tmp`, target, formatTreeListing(entries));
    return true;
  } catch {
    return false;
  }
}

/** Removes the listing of a commit whose snapshot goes (prune, `cache rm`). */
export function removeTreeListing(layout: RepoCacheLayout, commit: string): void {
  rmSync(treeListingPath(layout, commit), { force: true });
}
