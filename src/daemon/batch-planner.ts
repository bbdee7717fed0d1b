/**
 * Which models a firing queues: the store's eligible models (pending, paused,
 * failed with retries left; oldest first), then the completed models that
 * track a branch (their turn checks the branch and updates a moved one),
 * minus those a user paused (`hfsched model pause`: they wait for
 * `model resume`), those failed for corrupt bytes (they wait for
 * `model retry`: corruption-hold.ts) and those the caller already has
 * (queued, running, or tried in this window).
 */
import { isHeldUntilRetry } from '../download/corruption-hold.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';

export function modelsToQueue(store: Store, maxRetries: number, skip: (modelId: number) => boolean): Model[] {
  const held = store.models.heldIds();
  return [...store.models.eligible(maxRetries), ...store.models.trackedCompleted()].filter(
    (model) => !(model.status === 'paused' && held.has(model.id)) && !isHeldUntilRetry(store, model) && !skip(model.id),
  );
}

/** Whether a queued model may still start now (it may have changed while it waited). */
export function mayStart(store: Store, model: Model, maxRetries: number): boolean {
  if (model.status === 'paused' && store.models.heldIds().has(model.id)) return false;
  if (model.status === 'completed') return model.tracking;
  if (isHeldUntilRetry(store, model)) return false;
  return store.models.eligible(maxRetries).some((eligible) => eligible.id === model.id);
}
