/**
 * What the disk gate (src/hub/cache/disk-gate.ts) needs from the database: the
 * limits as they are now (read again at each look, so that a budget raised
 * or a min_free_bytes lowered while a download waits takes effect), and the
 * bytes on disk of the repositories hfsched manages, the ones
 * `cache.max_bytes` caps. Repositories of other clients in the same cache are
 * not counted: the free-disk rule covers them.
 */
import { readSettings } from '../config/settings.js';
import { RepoCacheLayout, reposBytesOnDisk, type SpaceLimits } from '../hub/index.js';
import type { Store } from '../store/index.js';

/** The cache folders of every model in the database. */
export function managedRepoDirs(store: Store, cacheDir: string): string[] {
  return store.models.list().map((model) => new RepoCacheLayout(cacheDir, model.name, model.repoType).repoDir);
}

/** The managed repositories' bytes on disk (blobs and partial files). */
export function managedBytesOnDisk(store: Store, cacheDir: string): Promise<number> {
  return reposBytesOnDisk(managedRepoDirs(store, cacheDir));
}

/** The gate's limits, from the settings as they are at each call. */
export function currentSpaceLimits(store: Store, cacheDir: string, env: NodeJS.ProcessEnv): () => SpaceLimits {
  return () => {
    const settings = readSettings(store, env);
    return {
      minFreeBytes: settings.downloadMinFreeBytes,
      maxBytes: settings.cacheMaxBytes,
      managedBytes: () => managedBytesOnDisk(store, cacheDir),
    };
  };
}
