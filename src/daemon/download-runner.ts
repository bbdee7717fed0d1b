/**
 * One download started by the daemon's queue: check that the model may still
 * start (it waited in the queue; a user may have paused or removed it, or a
 * `pull` may have finished it), then hand it to the worker, which keeps the
 * records (session, model status, throttled progress, the end in one
 * transaction). A completed model that tracks a branch is first checked
 * (one API call) and downloaded only when the branch moved; one that was
 * complete and is pending again (retry, repair) is checked first too, and
 * not started while the Hub refuses us. The outcome is returned for the
 * metrics.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { readToken } from '../config/hub-location.js';
import type { HubRuntime } from '../hub/index.js';
import type { Store } from '../store/index.js';
import { downloadModel, storedRevision, type DownloadModelOutcome } from '../download/download-model.js';
import { checkBeforeRepair, checkTrackedModel } from '../download/model-update.js';
import { mayStart } from './batch-planner.js';
import type { ProgressReport } from './progress-board.js';

export interface RunModelDownloadOptions {
  store: Store;
  runtime: HubRuntime;
  modelId: number;
  scheduleId: number | null;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  logger: Logger;
  onProgress: (report: ProgressReport) => void;
}

/** `skipped`: the model could not start (removed, no longer eligible, downloading elsewhere); nothing recorded. */
export type RunOutcome = { status: 'skipped' } | DownloadModelOutcome;

export async function runModelDownload(options: RunModelDownloadOptions): Promise<RunOutcome> {
  const { store, logger, signal } = options;
  const model = store.models.get(options.modelId);
  if (model === null) {
    logger.info({ modelId: options.modelId }, 'model removed while queued: skipped');
    return { status: 'skipped' };
  }
  if (signal.aborted) return { status: 'skipped' };
  if (!mayStart(store, model, options.settings.downloadMaxRetries)) {
    logger.info({ model: model.name, status: model.status }, 'model no longer eligible when its turn came: skipped');
    return { status: 'skipped' };
  }
  // Read for each download, so a rotated token file is picked up without a restart.
  const { token } = readToken(options.env);
  const checkOptions = {
    runtime: options.runtime,
    settings: options.settings,
    token,
    env: options.env,
    signal,
    logger,
  };
  // A check a pause (window closed) cut short decides nothing: the model is skipped.
  const unlessPaused = (error: unknown): null => {
    if (signal.aborted) return null;
    throw error;
  };
  if (model.status === 'completed') {
    const check = await checkTrackedModel(store, model, checkOptions).catch(unlessPaused);
    if (check === null || check.kind !== 'moved') return { status: 'skipped' };
  } else if (model.status === 'pending' && model.currentCommit !== null) {
    // It was complete: a Hub that refuses us now records a failed check, not a failed download (model-update.ts).
    const reachable = await checkBeforeRepair(store, model, storedRevision(model), checkOptions).catch(unlessPaused);
    if (reachable !== true) return { status: 'skipped' };
  }
  try {
    return await downloadModel(store, model, {
      runtime: options.runtime,
      scheduleId: options.scheduleId,
      settings: options.settings,
      token,
      signal,
      env: options.env,
      logger,
      onProgress: (progress) => options.onProgress(progress),
    });
  } catch (error) {
    // downloadModel throws only when the download could not start (e.g. `hfsched pull` is downloading it).
    logger.warn({ model: model.name, err: error }, 'download could not start: skipped');
    return { status: 'skipped' };
  }
}
