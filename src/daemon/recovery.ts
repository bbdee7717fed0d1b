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
import { isRunByAnotherProcess } from '../download/download-owner.js';

export function recoverAfterCrash(store: Store, logger: Logger): DownloadSession[] {
  const ended = store.recoverInterruptedSessions(isRunByAnotherProcess);
  for (const session of ended) {
    const model = store.getModel(session.modelId);
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
