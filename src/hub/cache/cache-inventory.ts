/**
 * What one repository holds in the cache, read from disk: its snapshots, its
 * refs and its size (cache-usage.ts counts the bytes), as huggingface_hub's
 * scan_cache_dir sees them (https://huggingface.co/docs/huggingface_hub/guides/manage-cache).
 * Used by `hfsched cache list` and by prune.
 */
import { lstatSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { RepoCacheLayout } from './cache-layout.js';
import { repoBytesOnDisk } from './cache-usage.js';
import { isCommitHash, type HubRepoType } from '../repo-paths.js';

export interface SnapshotOnDisk {
  commit: string;
  /** The refs (branches, tags) pointing at it. */
  refs: string[];
  /** The snapshot folder's last change: when it was (last) filled. */
  modifiedAt: Date;
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
    snapshots.push({ commit: entry.name, refs: pointing, modifiedAt: stats.mtime });
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
  };
}
