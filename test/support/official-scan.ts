/**
 * What @huggingface/hub's cache scanner complains about. Since huggingface_hub
 * keeps its shared blob store at the cache root (`blobs/`, see
 * docs/sharing-the-cache.md), the scanner, older than the store, takes that
 * folder for a badly named repository: that one warning is expected of any
 * cache holding the store, whoever made it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { scanCacheDir } from '@huggingface/hub';

export const STORE_FOLDER_WARNING = 'Repo path is not a valid HuggingFace cache directory: blobs';

/** The scan's warnings other than the store folder's. */
export function unexpectedScanWarnings(scan: Awaited<ReturnType<typeof scanCacheDir>>): string[] {
  return scan.warnings.map((warning) => (warning as Error).message).filter((text) => text !== STORE_FOLDER_WARNING);
}

/**
 * huggingface_hub's `scan_cache_dir` (`hf cache scan`), reproduced for the rules
 * a repo folder must meet (huggingface_hub/utils/_cache_manager.py,
 * `_scan_cached_repo`, documented at
 * https://huggingface.co/docs/huggingface_hub/guides/manage-cache#scan-your-cache):
 * every folder of the cache but `.locks` is a repo, named `{type}s--{org}--{name}`,
 * whose `snapshots/` must exist ("Snapshots dir doesn't exist in cached repo"),
 * holding only folders, and whose refs name commits that `snapshots/` holds.
 * The official client cannot be installed here; this returns the
 * CorruptedCacheException messages it would warn with. The shared blob store
 * at the root (`blobs/`) is huggingface_hub's own and skipped.
 */
export function pythonScanCorruptions(cacheDir: string): string[] {
  const problems: string[] = [];
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (entry.name === '.locks' || entry.name === 'blobs' || !entry.isDirectory()) continue;
    const repo = join(cacheDir, entry.name);
    const [type] = entry.name.split('--');
    if (!entry.name.includes('--') || !['models', 'datasets', 'spaces'].includes(type ?? '')) {
      problems.push(`Repo path is not a valid HuggingFace cache directory: ${repo}`);
      continue;
    }
    const snapshots = join(repo, 'snapshots');
    if (!existsSync(snapshots) || !statSync(snapshots).isDirectory()) {
      problems.push(`Snapshots dir doesn't exist in cached repo: ${snapshots}`);
      continue;
    }
    const commits = new Set<string>();
    for (const revision of readdirSync(snapshots, { withFileTypes: true })) {
      if (revision.name === '.DS_Store') continue;
      if (!revision.isDirectory()) problems.push(`Snapshots folder corrupted. Found a file: ${revision.name}`);
      commits.add(revision.name);
    }
    const refs = join(repo, 'refs');
    if (existsSync(refs)) {
      for (const ref of readdirSync(refs, { recursive: true, withFileTypes: true })) {
        if (!ref.isFile()) continue;
        const commit = readFileSync(join(ref.parentPath, ref.name), 'utf8').trim();
        if (!commits.has(commit)) problems.push(`Reference(s) refer to missing commit hashes: ${commit} (${repo})`);
      }
    }
  }
  return problems;
}
