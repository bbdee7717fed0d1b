/**
 * The commits hfsched itself downloaded for a model: its current commit and
 * the commit of each completed download session (recorded in the session's
 * metadata by download-model.ts). Prune removes only these, and snapshots
 * no ref points at: a revision another client fetched on purpose stays.
 */
import type { Model, Store } from '../store/index.js';

/** Sessions read back; far more than a model accumulates between prunes. */
const SESSIONS_READ = 10_000;

export function commitsFetchedBy(store: Store, model: Model): Set<string> {
  const commits = new Set<string>();
  if (model.currentCommit !== null) commits.add(model.currentCommit);
  for (const session of store.downloads.history(model.id, { limit: SESSIONS_READ })) {
    const commit = session.status === 'completed' ? session.metadata?.commit : undefined;
    if (typeof commit === 'string') commits.add(commit);
  }
  return commits;
}
