/**
 * A one-off download: `hfsched pull` of a model the database knows, with its
 * own `--revision`, `--include` or `--exclude`. The snapshot lands in the
 * cache like any other, but nothing of the model changes: no session, no
 * status, and its commit, snapshot folder, recorded files and the ref of its
 * own revision stay those of the revision it keeps. So `cache prune` still
 * keeps what the model is configured for, and a failed one-off (a typo in
 * `--revision`) is reported to the user, never recorded as the model's
 * failure.
 */
import { resolveHubLocation } from '../config/hub-location.js';
import { downloadSnapshot, type SnapshotResult } from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import { currentSpaceLimits } from './cache-budget.js';
import { abortReasonText, storedRevision, type DownloadModelOptions } from './download-model.js';
import { snapshotSettings } from './snapshot-settings.js';

export type OneOffOutcome =
  | { status: 'completed'; snapshot: SnapshotResult }
  | { status: 'paused'; reason: string }
  | { status: 'failed'; error: Error };

/** The command line's options, or the model's own where it gives none. */
export interface OneOffSelection {
  revision?: string;
  include?: string[];
  exclude?: string[];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Whether `pull` with these options downloads something other than the model's own selection. */
export function isOneOff(model: Model, selection: OneOffSelection): boolean {
  return (
    // A pinned model's own revision is its commit: `--revision main` would move it.
    (selection.revision !== undefined && selection.revision !== storedRevision(model)) ||
    (selection.include !== undefined && !sameList(selection.include, model.includePatterns)) ||
    (selection.exclude !== undefined && !sameList(selection.exclude, model.excludePatterns))
  );
}

export async function downloadOneOff(
  store: Store,
  model: Model,
  selection: OneOffSelection,
  options: Omit<DownloadModelOptions, 'scheduleId' | 'revision' | 'include' | 'exclude'>,
): Promise<OneOffOutcome> {
  const { settings, signal } = options;
  const env = options.env ?? process.env;
  const location = resolveHubLocation(settings, env);
  const revision = selection.revision ?? storedRevision(model);
  const log = options.logger?.child({ model: model.name, oneOff: true });
  try {
    const snapshot = await downloadSnapshot(options.runtime, {
      endpoint: location.endpoint,
      token: options.token,
      cacheDir: location.cacheDir,
      repoId: model.name,
      repoType: model.repoType,
      revision,
      // The model's own branch keeps pointing at the model's snapshot (see SnapshotRequest.writeRef).
      writeRef: revision !== (model.revision ?? 'main'),
      include: selection.include ?? model.includePatterns,
      exclude: selection.exclude ?? model.excludePatterns,
      ...snapshotSettings(options.runtime, settings, env, location.endpoint, log),
      spaceLimits: currentSpaceLimits(store, location.cacheDir, env),
      ...(options.onSpaceWait !== undefined ? { onSpaceWait: options.onSpaceWait } : {}),
      ...(signal !== undefined ? { signal } : {}),
      ...(log !== undefined ? { logger: log } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      ...(options.onFileDone !== undefined ? { onFileDone: options.onFileDone } : {}),
      ...(options.onRetry !== undefined ? { onRetry: options.onRetry } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    });
    return { status: 'completed', snapshot };
  } catch (error) {
    if (signal?.aborted) return { status: 'paused', reason: abortReasonText(signal.reason) };
    return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
  }
}
