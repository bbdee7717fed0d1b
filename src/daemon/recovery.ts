/**
 * What a crash (kill -9, power loss) left behind, repaired at start: sessions
 * still `started` or `in_progress` end as `failed` ("interrupted") and their
 * models become `paused`, so the next firing resumes them; their partial
 * files (`blobs/*.incomplete`) stay in the cache and are continued with Range
 * requests, and complete blobs are not fetched again.
 *
 * Only the registered daemon calls this, after it has made sure no other
 * daemon is alive on the database. A `hfsched pull` still running beside it
 * keeps its session.
 */
import type { Logger } from 'pino';
import type { DownloadSession, Store } from '../store/index.js';
import { isOrphaned, isOwnedByThisProcess, isRunByAnotherProcess } from '../download/download-owner.js';

export function recoverAfterCrash(store: Store, logger: Logger): DownloadSession[] {
  const ended = store.downloads.recoverInterrupted(isRunByAnotherProcess);
  for (const session of ended) {
    const model = store.models.get(session.modelId);
    logger.warn(
      {
        model: model?.name,
        session: session.id,
        schedule: session.scheduleId ?? undefined,
        bytesDownloaded: session.bytesDownloaded,
      },
      'interrupted download recorded as failed; it resumes at the next run',
    );
  }
  return ended;
}

/**
 * While the daemon runs: open sessions that nothing runs any more end as
 * `failed` ("interrupted") and their models become `paused`, resumed by the
 * next run. That is a session of this daemon whose download task is gone
 * (its end write failed even after retries: src/download/final-write.ts), or
 * one of a process of this host that died (a killed `hfsched pull`). So no
 * model stays `downloading` without a live owner.
 */
export function repairAbandonedSessions(
  store: Store,
  logger: Logger,
  runsHere: (modelId: number) => boolean,
): DownloadSession[] {
  const abandoned = (session: DownloadSession): boolean =>
    isOrphaned(session) || (isOwnedByThisProcess(session) && !runsHere(session.modelId));
  if (!store.downloads.openSessions().some(({ session }) => abandoned(session))) return [];
  const ended = store.downloads.recoverInterrupted((session) => !abandoned(session));
  for (const session of ended) {
    logger.warn(
      { model: store.models.get(session.modelId)?.name, session: session.id },
      'download session left open with no task running it, recorded as interrupted; it resumes at the next run',
    );
  }
  return ended;
}
