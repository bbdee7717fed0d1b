/**
 * A download waiting for disk space or cache budget (src/hub/cache/disk-gate.ts)
 * says so in its session's metadata: `waitingFor` holds the reason while the
 * wait lasts, `waitedFor` keeps the last reason afterwards. `status`,
 * `model show`, `history` and /metrics read it here.
 */
import type { DownloadSession, JsonObject } from '../store/types.js';

export function spaceWaitMetadata(reason: string | null): JsonObject {
  return reason === null ? { waitingFor: null } : { waitingFor: reason, waitedFor: reason };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The reason an open session waits for space now, else null. */
export function waitingFor(session: DownloadSession): string | null {
  const open = session.status === 'started' || session.status === 'in_progress';
  return open ? text(session.metadata?.waitingFor) : null;
}

/** What a session's history row says about space: its error, the wait going on, or the wait it had. */
export function sessionNote(session: DownloadSession): string {
  if (session.errorMessage !== null) return session.errorMessage;
  const now = waitingFor(session);
  if (now !== null) return now;
  const before = text(session.metadata?.waitedFor);
  return before === null ? '' : `waited (${before.replace(/^waiting:? /, '')})`;
}
