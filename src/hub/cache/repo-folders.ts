/**
 * A repo's folders in the cache (`models--org--name/` with `blobs/` and
 * `snapshots/`) exist only once something is written there. huggingface_hub's
 * `scan_cache_dir` (`hf cache scan`) reports a repo folder without
 * `snapshots/` as corrupted ("Snapshots dir doesn't exist in cached repo"),
 * and a download that waits for the cache budget, fails before its first
 * byte or is refused must leave nothing behind. So the repo folder, `blobs/`
 * and `snapshots/` are made together, just before the first write, and the
 * folders made here are removed again at the end when they are still empty.
 *
 * The cache is shared with other clients: a folder that holds anything,
 * whoever wrote it, is never removed (rmdir(2) removes only an empty folder,
 * and atomically), nor one this download did not make. `snapshots/` goes
 * only with the repo folder, never alone (that would be the corruption above).
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { basename } from 'node:path';
import type { RepoCacheLayout } from './cache-layout.js';
import { ensureRealDir, realDirExists } from './safe-paths.js';

export class RepoFolders {
  /** Folders inside the repo made here (a snapshot's), in the order made. */
  private readonly inside: string[] = [];
  /** Whether the repo folder itself was made here, with its `blobs/` and `snapshots/`. */
  private madeRepo = false;
  /** Whether the three are known to be in place (make() is called once per blob linked from the shared store). */
  private inPlace = false;

  constructor(
    private readonly cacheDir: string,
    private readonly layout: RepoCacheLayout,
  ) {}

  /** The names in `blobs/` now; none when there is no `blobs/` yet (nothing is made to find out). */
  presentBlobs(): Set<string> {
    const { blobsDir } = this.layout;
    return realDirExists(this.cacheDir, blobsDir) ? new Set(readdirSync(blobsDir)) : new Set();
  }

  /** Makes the repo folder with `blobs/` and `snapshots/`, and `folders` inside it; call just before writing. */
  make(...folders: string[]): void {
    const { repoDir, blobsDir, snapshotsDir } = this.layout;
    if (!this.inPlace) {
      if (ensureRealDir(this.cacheDir, repoDir)) this.madeRepo = true;
      ensureRealDir(this.cacheDir, blobsDir);
      ensureRealDir(this.cacheDir, snapshotsDir);
      this.inPlace = true;
    }
    for (const folder of folders) if (ensureRealDir(this.cacheDir, folder)) this.inside.push(folder);
  }

  /**
   * Removes what was made here and is still empty: the folders inside first,
   * then, when the repo folder was made here and holds nothing but an empty
   * `blobs/` and `snapshots/`, those and the repo folder. Never throws: what
   * cannot be removed stays, as a valid empty repo.
   */
  removeEmpty(): void {
    for (const folder of this.inside.splice(0).reverse()) removeIfEmpty(folder);
    this.inPlace = false;
    if (!this.madeRepo) return;
    const { repoDir, blobsDir, snapshotsDir } = this.layout;
    let entries: string[];
    try {
      entries = readdirSync(repoDir);
    } catch {
      return;
    }
    const ours = new Set([basename(blobsDir), basename(snapshotsDir)]);
    if (!entries.every((name) => ours.has(name))) return;
    // blobs/ first: if it holds something, snapshots/ and the repo folder stay.
    if (!removeIfEmpty(blobsDir)) return;
    if (!removeIfEmpty(snapshotsDir)) return;
    if (removeIfEmpty(repoDir)) this.madeRepo = false;
  }
}

/** rmdir: true when the folder is gone, false when it holds something (or cannot be removed). */
function removeIfEmpty(folder: string): boolean {
  try {
    rmdirSync(folder);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
