/**
 * A model whose download failed because the server keeps sending corrupt
 * bytes (RepeatedCorruptionError) is left alone by the scheduler: another
 * firing would fetch the same wrong bytes again. Its failed session's
 * metadata says so (`heldUntilRetry`); `hfsched model retry` moves the model
 * back to pending, which the scheduler takes again. A model whose selection
 * is over `cache.max_bytes` (CacheBudgetError) is held the same way: it could
 * never fit until the budget or the selection changes.
 */
import type { Store } from '../store/index.js';
import type { DownloadSession, Model } from '../store/types.js';

export const HELD_UNTIL_RETRY = { heldUntilRetry: true } as const;

/** Whether the scheduler must leave `model` alone until a person retries it. */
export function isHeldUntilRetry(store: Store, model: Model): boolean {
  if (model.status !== 'failed') return false;
  const last: DownloadSession | undefined = store.downloads.history(model.id, { limit: 1 })[0];
  return last?.metadata?.heldUntilRetry === true;
}
