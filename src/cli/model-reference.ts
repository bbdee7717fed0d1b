/**
 * Finding a model from what a user types: its repo id (`org/name`) or its
 * numeric id from `hfsched model list`. Shared by every command that takes
 * `<repo_id|id>` (model show/remove, history, and the daemon's model
 * pause/resume/retry).
 */
import { NotFoundError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';

export function findModel(store: Store, reference: string): Model {
  const trimmed = reference.trim();
  // A bare repo name may be all digits, so a number is tried as an id first, then as a name.
  const byId =
    /^\d+$/.test(trimmed) && Number(trimmed) >= 1 && Number.isSafeInteger(Number(trimmed))
      ? store.getModel(Number(trimmed))
      : null;
  const model = byId ?? store.getModelByName(trimmed);
  if (model === null) {
    throw new NotFoundError(`no model "${reference}"; see the known models with: hfsched model list`);
  }
  return model;
}
