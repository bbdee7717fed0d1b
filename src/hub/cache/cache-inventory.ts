/**
 * What one repository holds in the cache, read from disk: its snapshots, its
 * refs and its size (cache-usage.ts counts the bytes), as huggingface_hub's
 * scan_cache_dir sees them (https://huggingface.co/docs/huggingface_hub/guides/manage-cache).
 * Used by `hfsched cache list` and by prune.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { blobContent } from './shared-blobs.js';
import { RepoCacheLayout } from './cache-layout.js';
import { repoBytesOnDisk } from './cache-usage.js';
import { isCommitHash, type HubRepoType } from '../repo-paths.js';

export interface SnapshotOnDisk {
  commit: string;
  /** The refs (branches, tags) pointing at it. */
  refs: string[];
  /** The snapshot folder's last change: when it was (last) filled. */
  modifiedAt: Date;
  /** Bytes of the distinct blobs its files link to (a shared store entry's through its link). */
  sizeOnDisk: number;
}

export interface RepoUsage {
  repoId: string;
  repoType: HubRepoType;
  /** `{cacheDir}/models--org--name` */
  repoDir: string;
  /** Bytes of every blob, plus what partial files hold on disk. */
  sizeOnDisk: number;
  /** Newest first. */
  snapshots: SnapshotOnDisk[];
  /** Ref name (e.g. `main`, `refs/pr/1`) -> commit. */
  refs: Record<string, string>;
  /** The newest access and change time among its blobs (as huggingface_hub's scan_cache_dir), null without blobs. */
  lastAccessedAt: Date | null;
  lastModifiedAt: Date | null;
}

export interface ManagedRepo {
  repoId: string;
  repoType: HubRepoType;
}

/** The entries of a folder; none when it does not exist. */
export function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every `refs/**` file whose content is a commit hash. */
export function readRefs(layout: RepoCacheLayout): Record<string, string> {
  const refs: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const entry of entriesOf(dir)) {
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), name);
      else if (entry.isFile() && !entry.name.includes('.hfsched-')) {
        const commit = readFileSync(join(dir, entry.name), 'utf8').trim();
        if (isCommitHash(commit)) refs[name] = commit;
      }
    }
  };
  walk(layout.refsDir, '');
  return refs;
}

/** Names of the blobs a snapshot's links point at (links that leave `blobs/` are ignored). */
export function linkedBlobNames(snapshotDir: string, blobsDir: string, into: Set<string>): void {
  for (const entry of entriesOf(snapshotDir)) {
    const path = join(snapshotDir, entry.name);
    if (entry.isDirectory()) linkedBlobNames(path, blobsDir, into);
    else if (entry.isSymbolicLink()) {
      const target = resolve(dirname(path), readlinkSync(path));
      if (dirname(target) === blobsDir) into.add(basename(target));
    }
  }
}

/** The newest atime and mtime among the repo's blobs (their store entries for links). */
function blobTimes(layout: RepoCacheLayout): { accessed: Date | null; modified: Date | null } {
  let accessed: Date | null = null;
  let modified: Date | null = null;
  for (const entry of entriesOf(layout.blobsDir)) {
    const stats = blobContent(layout.cacheDir, join(layout.blobsDir, entry.name))?.stats;
    if (stats === undefined) continue;
    if (accessed === null || stats.atime > accessed) accessed = stats.atime;
    if (modified === null || stats.mtime > modified) modified = stats.mtime;
  }
  return { accessed, modified };
}

/** The snapshot folders, newest first, with the refs pointing at each. */
export function listSnapshots(layout: RepoCacheLayout, refs: Record<string, string>): SnapshotOnDisk[] {
  const snapshots: SnapshotOnDisk[] = [];
  for (const entry of entriesOf(layout.snapshotsDir)) {
    if (!entry.isDirectory()) continue;
    const stats = lstatSync(join(layout.snapshotsDir, entry.name));
    const pointing = Object.entries(refs)
      .filter(([, commit]) => commit === entry.name)
      .map(([name]) => name)
      .sort();
    const blobs = new Set<string>();
    linkedBlobNames(join(layout.snapshotsDir, entry.name), layout.blobsDir, blobs);
    const sizeOnDisk = [...blobs].reduce(
      (sum, name) => sum + (blobContent(layout.cacheDir, join(layout.blobsDir, name))?.stats.size ?? 0),
      0,
    );
    snapshots.push({ commit: entry.name, refs: pointing, modifiedAt: stats.mtime, sizeOnDisk });
  }
  return snapshots.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
}

/** What the repository holds, or null when it has no folder in the cache. */
export async function repoUsage(cacheDir: string, repo: ManagedRepo): Promise<RepoUsage | null> {
  const layout = new RepoCacheLayout(cacheDir, repo.repoId, repo.repoType);
  if (statSync(layout.repoDir, { throwIfNoEntry: false }) === undefined) return null;
  const refs = readRefs(layout);
  return {
    repoId: repo.repoId,
    repoType: repo.repoType,
    repoDir: layout.repoDir,
    sizeOnDisk: await repoBytesOnDisk(layout.repoDir),
    snapshots: listSnapshots(layout, refs),
    refs,
    ...(({ accessed, modified }) => ({ lastAccessedAt: accessed, lastModifiedAt: modified }))(blobTimes(layout)),
  };
}
