/**
 * The hostile mode of the test Hub: a broken or malicious endpoint. Each
 * switch bends the model API's answers (the file bytes stay real):
 * self-looping or off-origin tree pages, JSON answers padded far past any
 * real listing, sizes that are negative, huge or simply wrong. Control
 * characters in names need no switch: give a file such a path.
 */
import type { TreeEntry } from './hub-api.js';
import type { HostileMode } from './types.js';

/** Whether the revision endpoint must leave the sizes out, so that the client lists the tree. */
export function forcesTreeListing(mode: HostileMode): boolean {
  return mode.loopingPages === true || mode.nextPageOrigin !== undefined || mode.nextPageUrl !== undefined;
}

function bend<T extends { size: number; lfs?: { size: number } }>(entry: T, path: string, mode: HostileMode): T {
  const size = mode.listedSizes?.[path];
  const lfsSize = mode.listedLfsSizes?.[path];
  if (size === undefined && lfsSize === undefined) return entry;
  const bent = { ...entry, size: size ?? entry.size };
  if (entry.lfs !== undefined) bent.lfs = { ...entry.lfs, size: lfsSize ?? size ?? entry.lfs.size };
  return bent;
}

/** The revision answer's siblings, bent by the mode. */
export function bendRevisionInfo(info: Record<string, unknown>, mode: HostileMode): Record<string, unknown> {
  const siblings = (info['siblings'] as Array<{ rfilename: string; size: number; lfs?: { size: number } }>).map(
    (sibling) => (forcesTreeListing(mode) ? { rfilename: sibling.rfilename } : bend(sibling, sibling.rfilename, mode)),
  );
  return padded({ ...info, siblings }, mode);
}

export function bendTreeEntries(entries: TreeEntry[], mode: HostileMode): TreeEntry[] {
  return entries.map((entry) => (entry.type === 'file' ? bend(entry, entry.path, mode) : entry));
}

/** The Link of a tree page: to itself (a loop), to another origin or URL, instead of the real next page. */
export function bentNextPage(thisPage: URL, realNext: URL | null, mode: HostileMode): URL | null {
  if (mode.loopingPages === true) return thisPage;
  if (mode.nextPageUrl !== undefined) return new URL(mode.nextPageUrl);
  if (mode.nextPageOrigin !== undefined && realNext !== null)
    return new URL(realNext.pathname + realNext.search, mode.nextPageOrigin);
  return realNext;
}

/** The value with a padding field that makes its JSON about `jsonBodyBytes` long. */
export function padded<T extends object>(value: T, mode: HostileMode): T {
  if (mode.jsonBodyBytes === undefined) return value;
  return { ...value, padding: 'x'.repeat(mode.jsonBodyBytes) };
}
