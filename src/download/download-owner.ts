/**
 * Which process runs a download: its session's metadata records the pid and
 * host of the process that began it. A model left `downloading` by a process
 * that no longer exists (killed, crashed) can then be told apart from one
 * another process (the daemon, another `pull`) is downloading right now, and
 * `pull` can take the first one over instead of refusing until the daemon's
 * start-up repair runs.
 */
import { hostname } from 'node:os';
import { processExists } from '../system/process-exists.js';
import { ConstraintError } from '../errors.js';
import { INTERRUPTED_MESSAGE, type Store } from '../store/index.js';
import type { DownloadSession, JsonObject, Model } from '../store/types.js';

export function ownerMetadata(): JsonObject {
  return { ownerPid: process.pid, ownerHost: hostname() };
}

/** The pid of the process of this host that began the session, if recorded. */
function localOwnerPid(session: DownloadSession): number | null {
  const pid = session.metadata?.ownerPid;
  return typeof pid === 'number' && session.metadata?.ownerHost === hostname() ? pid : null;
}

function isOpen(session: DownloadSession): boolean {
  return session.status === 'started' || session.status === 'in_progress';
}

/** True when the session was begun by a process of this host that is gone. */
export function isOrphaned(session: DownloadSession): boolean {
  const pid = localOwnerPid(session);
  return isOpen(session) && pid !== null && pid !== process.pid && !processExists(pid);
}

/** True when this very process began the (open) session. */
export function isOwnedByThisProcess(session: DownloadSession): boolean {
  return isOpen(session) && localOwnerPid(session) === process.pid;
}

/**
 * True when another live process of this host (a `hfsched pull`) is running
 * the session: the daemon's start-up repair must leave it alone.
 */
export function isRunByAnotherProcess(session: DownloadSession): boolean {
  const pid = localOwnerPid(session);
  return isOpen(session) && pid !== null && pid !== process.pid && processExists(pid);
}

/**
 * Before starting `model` here: if it is `downloading`, either its process
 * is gone (its session then ends `failed` "interrupted", and the model can
 * start again, from its partial files) or it is really running (ConstraintError).
 * Returns the model as it is now.
 */
export function takeOverOrphanedDownload(
  store: Store,
  model: Model,
): { model: Model; recovered: DownloadSession | null } {
  if (model.status !== 'downloading') return { model, recovered: null };
  const open = store.downloads.history(model.id, { limit: 1 })[0];
  if (open !== undefined && isOrphaned(open)) {
    // The word store.downloads.recoverInterrupted writes: the same event, said the same way.
    store.downloads.fail(open.id, INTERRUPTED_MESSAGE);
    return { model: store.models.get(model.id) ?? model, recovered: open };
  }
  throw new ConstraintError(
    `"${model.name}" is already downloading (by the daemon or another pull); see it with: hfsched status, or pause it with: hfsched model pause ${model.name}`,
  );
}
