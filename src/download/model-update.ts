/**
 * Keeping a downloaded model current: the branch check of a tracked model at
 * each firing, and the prune of superseded snapshots after an update.
 *
 *   checkTrackedModel: one API call; unchanged -> the check is recorded;
 *     moved -> the caller downloads the new commit (downloadModel: the model
 *     is `downloading`, then `completed` again); failed (Hub down, 429) ->
 *     recorded, the model stays `completed`, and the next firing tries again.
 *   pruneSuperseded: after an update, keeps `cache.keep_revisions` snapshots.
 *   pinIfTag: after a first download on a named revision, a tag is pinned
 *     (tags do not move: checking one at every firing would be a wasted call).
 */
import type { Logger } from 'pino';
import { resolveHubLocation } from '../config/hub-location.js';
import type { Settings } from '../config/settings.js';
import {
  checkTrackedRevision,
  isCommitHash,
  resolveRevisionCommit,
  type HubRuntime,
  isTagRevision,
  pruneRepo,
  type PruneResult,
  type RevisionCheckRequest,
} from '../hub/index.js';
import { formatRepoReference, type Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import { useNetworkSettings } from './snapshot-settings.js';

export type BranchCheck =
  | { kind: 'unchanged'; commit: string }
  /** The revision turned out to be a tag: the model is pinned now, and never checked again. */
  | { kind: 'pinned' }
  | { kind: 'moved'; from: string | null; to: string }
  | { kind: 'failed'; error: string };

export interface CheckOptions {
  /** Whose connections and rate limits the check uses (the daemon's, the pull's). */
  runtime: HubRuntime;
  settings: Settings;
  token: string | null;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  logger?: Logger;
  retryBaseDelayMs?: number;
}

/** What the Hub is asked about the model's revision, with few retries (a failed check is retried next firing). */
function revisionRequest(model: Model, revision: string, options: CheckOptions): RevisionCheckRequest {
  const location = resolveHubLocation(options.settings, options.env);
  return {
    endpoint: location.endpoint,
    token: options.token,
    repoId: model.name,
    repoType: model.repoType,
    revision,
    stallTimeoutMs: options.settings.downloadStallTimeoutSeconds * 1000,
    ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
}

/** Asks the Hub where the model's branch points now, and records the answer (see above). */
export async function checkTrackedModel(store: Store, model: Model, options: CheckOptions): Promise<BranchCheck> {
  const revision = model.revision ?? 'main';
  const name = formatRepoReference(model.repoType, model.name);
  let commit: string;
  try {
    // The route the settings give, as a download's: a daemon whose models are all current only checks.
    useNetworkSettings(options.runtime, options.settings, options.env);
    const answer = await checkTrackedRevision(options.runtime.http, revisionRequest(model, revision, options));
    if (answer.kind === 'tag') {
      // A tag does not move (a model tracked on one was pulled before tags were pinned at download).
      store.models.updateOptions(model.id, { tracking: false });
      store.models.recordRevisionCheck(model.id, null);
      options.logger?.info({ model: name, revision }, 'revision is a tag: the model is pinned');
      return { kind: 'pinned' };
    }
    commit = answer.commit;
  } catch (error) {
    options.signal?.throwIfAborted();
    const message = error instanceof Error ? error.message : String(error);
    store.models.recordRevisionCheck(model.id, message);
    options.logger?.warn({ model: name, revision, err: message }, 'branch check failed; tried again at the next run');
    return { kind: 'failed', error: message };
  }
  if (commit === model.currentCommit) {
    store.models.recordRevisionCheck(model.id, null);
    options.logger?.info({ model: name, revision, commit }, 'branch unchanged');
    return { kind: 'unchanged', commit };
  }
  options.logger?.info({ model: name, revision, from: model.currentCommit, to: commit }, 'branch moved; updating');
  return { kind: 'moved', from: model.currentCommit, to: commit };
}

/**
 * Before the daemon downloads a model that was complete and is pending again
 * (`model retry`, or `verify` found damage): one call asks the Hub for the
 * revision, as the branch check of a completed model does. When it fails (a
 * daemon without the token of a private or gated repo, the Hub down) the
 * failure is recorded as a failed check and the download is not started: it
 * would fail before its first byte, and turn a model whose files are on disk
 * `failed`. The model stays pending, and the next firing asks again.
 */
export async function checkBeforeRepair(
  store: Store,
  model: Model,
  revision: string,
  options: CheckOptions,
): Promise<boolean> {
  const name = formatRepoReference(model.repoType, model.name);
  try {
    useNetworkSettings(options.runtime, options.settings, options.env);
    await resolveRevisionCommit(options.runtime.http, revisionRequest(model, revision, options));
  } catch (error) {
    options.signal?.throwIfAborted();
    const message = error instanceof Error ? error.message : String(error);
    store.models.recordRevisionCheck(model.id, message);
    options.logger?.warn(
      { model: name, revision, err: message },
      'revision check failed; the download waits for the next run',
    );
    return false;
  }
  store.models.recordRevisionCheck(model.id, null);
  return true;
}

/**
 * After an update from `fromCommit`, removes snapshots beyond
 * `cache.keep_revisions`, their refs and the blobs only they used. A prune
 * that fails is logged, never fails the download that just succeeded.
 */
export async function pruneSuperseded(
  model: Model,
  currentCommit: string,
  fetchedCommits: ReadonlySet<string>,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  logger?: Logger,
): Promise<PruneResult | null> {
  const { cacheDir } = resolveHubLocation(settings, env);
  try {
    const result = await pruneRepo({
      cacheDir,
      repoId: model.name,
      repoType: model.repoType,
      keepRevisions: settings.cacheKeepRevisions,
      currentCommit,
      fetchedCommits,
      dryRun: false,
    });
    if (result.removedSnapshots.length > 0 || result.removedBlobs > 0) {
      logger?.info(
        { removedSnapshots: result.removedSnapshots, removedBlobs: result.removedBlobs, freedBytes: result.freedBytes },
        'old revisions pruned',
      );
    }
    return result;
  } catch (error) {
    logger?.warn({ err: error }, 'pruning old revisions failed; run hfsched cache prune to try again');
    return null;
  }
}

/**
 * After the first download of a tracked model whose revision is neither
 * `main` nor a commit: asks the Hub (one call) whether the revision is a tag,
 * and if so pins the model. A failure is only logged: the model stays
 * tracked, and checking a tag costs one call per firing and changes nothing.
 */
export async function pinIfTag(store: Store, model: Model, options: CheckOptions): Promise<boolean> {
  const revision = model.revision;
  if (!model.tracking || revision === null || revision === 'main' || isCommitHash(revision)) return false;
  try {
    useNetworkSettings(options.runtime, options.settings, options.env);
    const tag = await isTagRevision(options.runtime.http, revisionRequest(model, revision, options));
    if (tag) {
      store.models.updateOptions(model.id, { tracking: false });
      options.logger?.info({ revision }, 'revision is a tag: the model is pinned');
    }
    return tag;
  } catch (error) {
    options.logger?.warn({ revision, err: error }, 'could not tell whether the revision is a tag; it stays tracked');
    return false;
  }
}
