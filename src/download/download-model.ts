/**
 * Downloads one model and keeps its records: where the store (sessions, model
 * status) and the Hub client (the download itself) meet. Used by `hfsched pull`
 * and by the daemon's queue.
 *
 *   store.downloads.begin (model -> downloading, session started)
 *   downloadSnapshot, with progress written at most once a second (in_progress)
 *   store.downloads.complete | fail | cancel, each one transaction
 *
 * Abort means pause: the partial files stay, the session ends `cancelled` with
 * the signal's reason and the model becomes `paused`, ready to resume.
 */
import type { Logger } from 'pino';
import { resolveHubLocation } from '../config/hub-location.js';
import type { Settings } from '../config/settings.js';
import {
  CacheBudgetError,
  downloadSnapshot,
  type FileDoneEvent,
  type HubRuntime,
  RepeatedCorruptionError,
  type RetryEvent,
  type SnapshotProgress,
  type SnapshotResult,
} from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { DownloadSession, Model, ModelFile } from '../store/types.js';
import { currentSpaceLimits } from './cache-budget.js';
import { HELD_UNTIL_RETRY } from './corruption-hold.js';
import { retryFinalWrite } from './final-write.js';
import { spaceWaitMetadata } from './space-wait.js';
import { ownerMetadata } from './download-owner.js';
import { pinIfTag, pruneSuperseded } from './model-update.js';
import { snapshotSettings } from './snapshot-settings.js';
import { commitsFetchedBy } from './fetched-commits.js';

/** Progress reaches the database at most this often; the callback gets every report. */
export const PROGRESS_WRITE_INTERVAL_MS = 1000;

export interface DownloadModelOptions {
  /** The schedule that started this download, null for `pull` and "run now". */
  scheduleId: number | null;
  settings: Settings;
  /** The Hub token (readToken from config/hub-location.ts); never stored. */
  token: string | null;
  /** Abort = pause (see above); the reason becomes the session's error message. */
  signal?: AbortSignal;
  /** The connections, limits and disk gate the download shares with the others of the process (the daemon's, the pull's). */
  runtime: HubRuntime;
  onProgress?: (progress: SnapshotProgress) => void;
  onFileDone?: (file: FileDoneEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  /** The download waits for disk space or cache budget (the reason), or goes on (null); told again only when that changes. */
  onSpaceWait?: (reason: string | null) => void;
  logger?: Logger;
  /** For the cache folder's fallbacks (HF_HOME, XDG_CACHE_HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the model's stored options for this download only (`pull --revision/--include/--exclude`). */
  revision?: string | null;
  include?: string[];
  exclude?: string[];
  /** A pause also holds the model (as `model pause` does), so that a running daemon does not start it again. */
  holdWhenPaused?: boolean;
  /** First retry delay (tests shorten it); default 1000 ms. */
  retryBaseDelayMs?: number;
}

/**
 * How a download that started ended, as recorded: `completed` (session
 * completed, model completed), `paused` (session cancelled with the reason,
 * model paused, partial files kept) or `failed` (session failed with the
 * error's one-line message, model failed).
 */
export type DownloadModelOutcome =
  | { status: 'completed'; session: DownloadSession; snapshot: SnapshotResult }
  | { status: 'paused'; session: DownloadSession; reason: string }
  | { status: 'failed'; session: DownloadSession; error: Error };

/** What the model downloads: its branch, or, once pinned (not tracking), the commit it has. */
export function storedRevision(model: Model): string {
  if (!model.tracking && model.currentCommit !== null) return model.currentCommit;
  return model.revision ?? 'main';
}

/** The text recorded for a pause: the signal's reason. */
export function abortReasonText(reason: unknown): string {
  if (typeof reason === 'string' && reason.trim() !== '') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message.trim() !== '') return reason.message;
  return 'paused';
}

/** A one-line message for the session's error_message. */
function failureText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const oneLine = text.split('\n')[0]!.trim();
  return oneLine === '' ? 'download failed' : oneLine;
}

/** Writes progress to the store at most once per PROGRESS_WRITE_INTERVAL_MS (the first report at once). */
function progressRecorder(
  store: Store,
  sessionId: number,
  logger: Logger | undefined,
): (progress: SnapshotProgress) => void {
  let lastWrite = -Infinity;
  return (progress) => {
    const now = performance.now();
    if (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
    lastWrite = now;
    try {
      store.downloads.recordProgress(sessionId, {
        bytesDownloaded: progress.doneBytes,
        totalBytes: progress.totalBytes,
      });
    } catch (error) {
      // A busy database must not stop the transfer; the end is recorded in any case.
      logger?.warn({ session: sessionId, err: error }, 'could not record download progress');
    }
  };
}

/**
 * Downloads `model` into the cache, records the attempt and resolves with how
 * it ended (completed, paused or failed; see DownloadModelOutcome). Throws,
 * recording nothing, only when the download cannot start (the model is
 * already downloading: StateTransitionError).
 */
export async function downloadModel(
  store: Store,
  model: Model,
  options: DownloadModelOptions,
): Promise<DownloadModelOutcome> {
  const { settings, logger, signal } = options;
  const location = resolveHubLocation(settings, options.env ?? process.env);
  const revision = options.revision ?? storedRevision(model);
  const session = store.downloads.begin({
    modelId: model.id,
    scheduleId: options.scheduleId,
    cacheDir: location.cacheDir,
  });
  // Who runs it, so that a later `pull` can tell a dead download from a live one.
  store.downloads.recordProgress(session.id, { bytesDownloaded: 0, totalBytes: null, metadata: ownerMetadata() });
  const log = logger?.child({ model: model.name, session: session.id });
  const recordProgress = progressRecorder(store, session.id, log);
  log?.info({ revision, endpoint: location.endpoint, cacheDir: location.cacheDir }, 'download started');

  // The reason of a wait for space is kept in the session (space-wait.ts); its figures change as
  // other downloads write, but the log and the caller hear only when the wait starts, changes kind or ends.
  let loggedWait: string | null = null;
  const onSpaceWait = (reason: string | null): void => {
    try {
      store.downloads.recordProgress(session.id, {
        bytesDownloaded: 0,
        totalBytes: null,
        metadata: spaceWaitMetadata(reason),
      });
    } catch (error) {
      log?.warn({ err: error }, 'could not record the wait for disk space');
    }
    const kind = reason === null ? null : reason.startsWith('waiting: cache budget') ? 'budget' : 'disk';
    if (kind === loggedWait) return;
    loggedWait = kind;
    if (reason === null) log?.info('disk space available: download goes on');
    else log?.warn({ reason }, 'download waits for disk space');
    options.onSpaceWait?.(reason);
  };

  let snapshot: SnapshotResult;
  try {
    // Proxies and CAs as set now (a bad CA file fails this download, with its message).
    const knobs = snapshotSettings(options.runtime, settings, options.env ?? process.env, location.endpoint, log);
    snapshot = await downloadSnapshot(options.runtime, {
      endpoint: location.endpoint,
      token: options.token,
      cacheDir: location.cacheDir,
      repoId: model.name,
      repoType: model.repoType,
      revision,
      include: options.include ?? model.includePatterns,
      exclude: options.exclude ?? model.excludePatterns,
      ...knobs,
      spaceLimits: currentSpaceLimits(store, location.cacheDir, options.env ?? process.env),
      onSpaceWait,
      ...(signal !== undefined ? { signal } : {}),
      ...(log !== undefined ? { logger: log } : {}),
      ...(options.onFileDone !== undefined ? { onFileDone: options.onFileDone } : {}),
      ...(options.onRetry !== undefined ? { onRetry: options.onRetry } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
      onProgress: (progress) => {
        recordProgress(progress);
        options.onProgress?.(progress);
      },
    });
  } catch (error) {
    if (signal?.aborted) {
      const reason = abortReasonText(signal.reason);
      // Held before the model is paused: the daemon never sees it paused without its hold.
      if (options.holdWhenPaused === true)
        await retryFinalWrite('the hold', () => store.models.hold(model.id, reason), log);
      await retryFinalWrite('the pause', () => store.downloads.cancel(session.id, reason), log);
      log?.info({ reason }, 'download paused; partial files kept');
      return { status: 'paused', session: store.downloads.getSession(session.id) ?? session, reason };
    }
    let message = failureText(error);
    // Corrupt bytes again and again, or a selection over cache.max_bytes: another firing would fail the same way.
    if (error instanceof RepeatedCorruptionError || error instanceof CacheBudgetError) {
      // Marked before the end, in the same session: the scheduler reads it (corruption-hold.ts).
      const bytes = store.downloads.getSession(session.id)?.bytesDownloaded ?? 0;
      await retryFinalWrite(
        'the hold',
        () =>
          store.downloads.recordProgress(session.id, {
            bytesDownloaded: bytes,
            totalBytes: null,
            metadata: HELD_UNTIL_RETRY,
          }),
        log,
      );
      message += `; the scheduler leaves ${model.name} alone until: hfsched model retry ${model.name}`;
      // The caller (pull) says it too.
      error.message = message;
    }
    await retryFinalWrite('the failure', () => store.downloads.fail(session.id, message), log);
    log?.error({ error: message }, 'download failed');
    const failure = error instanceof Error ? error : new Error(message);
    return { status: 'failed', session: store.downloads.getSession(session.id) ?? session, error: failure };
  }

  const result = {
    downloadPath: snapshot.snapshotPath,
    sizeBytes: snapshot.totalBytes,
    // fromCommit: what the model had before (an update of a tracked branch moves it from -> to).
    metadata: {
      revision,
      fromCommit: model.currentCommit,
      commit: snapshot.commit,
      files: snapshot.fileCount,
      fetchedBytes: snapshot.fetchedBytes,
    },
    commit: snapshot.commit,
    cacheDir: location.cacheDir,
    files: snapshot.files.map((file): ModelFile => ({
      path: file.path,
      hashKind: file.algorithm,
      hash: file.etag,
      size: file.size,
    })),
  };
  await retryFinalWrite('the completed download', () => store.downloads.complete(session.id, result), log);
  log?.info(
    { commit: snapshot.commit, bytes: snapshot.totalBytes, fetched: snapshot.fetchedBytes },
    'download completed',
  );
  // An update (the model had another commit): superseded snapshots beyond cache.keep_revisions go.
  if (model.currentCommit !== null && model.currentCommit !== snapshot.commit) {
    const fetched = commitsFetchedBy(store, model);
    await pruneSuperseded(model, snapshot.commit, fetched, settings, options.env ?? process.env, log);
  }
  // A first download on its own revision: a tag is pinned, never checked again.
  if (model.currentCommit === null && options.revision === undefined) {
    await pinIfTag(store, model, {
      runtime: options.runtime,
      settings,
      token: options.token,
      env: options.env ?? process.env,
      ...(log !== undefined ? { logger: log } : {}),
    });
  }
  return { status: 'completed', session: store.downloads.getSession(session.id) ?? session, snapshot };
}
