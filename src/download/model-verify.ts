/**
 * Verifies a completed model on disk against the hashes recorded when it was
 * downloaded (offline), and prepares the repair: blobs with wrong bytes are
 * discarded (under their lock) and the model goes back to `pending` with the
 * reason, so the next run fetches exactly what is missing or was damaged.
 * Used by `hfsched verify` and by `hfsched model retry` on a completed model.
 */
import type { Settings } from '../config/settings.js';
import { discardBlob, type FileCheck, type SnapshotFile, type VerifyProgress, verifySnapshot } from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { Model, ModelFile } from '../store/types.js';
import { modelCacheFolder } from './model-cache-folder.js';

export type VerifyOutcome =
  | { state: 'ok'; files: number; bytes: number }
  | { state: 'damaged'; files: number; bytes: number; problems: FileCheck[]; reason: string }
  | { state: 'skipped'; reason: string };

export interface VerifyModelOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** Discard damaged blobs and mark the model for repair (default true). */
  repair?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
}

function snapshotFile(file: ModelFile): SnapshotFile {
  return {
    path: file.path,
    size: file.size,
    algorithm: file.hashKind,
    etag: file.hash,
  };
}

/** "2 files damaged: 1 missing, 1 corrupt" */
function summary(problems: readonly FileCheck[]): string {
  const counts = new Map<string, number>();
  for (const problem of problems) counts.set(problem.problem, (counts.get(problem.problem) ?? 0) + 1);
  const parts = [...counts].map(([problem, count]) => `${count} ${problem}`);
  return `verify: ${problems.length} ${problems.length === 1 ? 'file' : 'files'} damaged (${parts.join(', ')}); the next run repairs ${problems.length === 1 ? 'it' : 'them'}`;
}

export async function verifyModel(store: Store, model: Model, options: VerifyModelOptions): Promise<VerifyOutcome> {
  if (model.status !== 'completed') {
    return { state: 'skipped', reason: `it is ${model.status}, not completed: nothing to verify yet` };
  }
  const files = store.models.files(model.id);
  if (model.currentCommit === null || files.length === 0) {
    return {
      state: 'skipped',
      reason: 'no hashes were recorded for it (downloaded before hfsched 0.2); hfsched model retry downloads them',
    };
  }
  // Where the model was downloaded, whatever this environment's cache is (model-cache-folder.ts).
  const { cacheDir } = modelCacheFolder(model, options.settings, options.env);
  const repo = { repoId: model.name, repoType: model.repoType };
  const result = await verifySnapshot({
    cacheDir,
    ...repo,
    commit: model.currentCommit,
    files: files.map(snapshotFile),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  });
  if (result.problems.length === 0) return { state: 'ok', files: result.checkedFiles, bytes: result.checkedBytes };
  const reason = summary(result.problems);
  if (options.repair ?? true) {
    // Wrong bytes under a hash's name would be trusted by the next run (sizes match): they go first.
    const corrupt = new Set(
      result.problems.flatMap((problem) => (problem.corruptBlob === null ? [] : [problem.corruptBlob])),
    );
    for (const etag of corrupt) await discardBlob(cacheDir, repo, etag);
    store.models.markForRepair(model.id, reason);
  }
  return {
    state: 'damaged',
    files: result.checkedFiles,
    bytes: result.checkedBytes,
    problems: result.problems,
    reason,
  };
}
