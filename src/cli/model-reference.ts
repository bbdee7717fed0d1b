/**
 * Finding a model from what a user types: its repo id (`org/name`), a
 * dataset's `datasets/org/name` (src/store/repo-reference.ts), or its numeric
 * id from `hfsched model list`. A plain `org/name` that only a dataset has
 * names that dataset. Shared by every command that takes
 * `<model>` (model show/set/remove, history, verify, and the daemon's model
 * pause/resume/retry).
 */
import { NotFoundError } from '../errors.js';
import { parseRepoReference, type Store } from '../store/index.js';
import type { Model } from '../store/types.js';

export function findModel(store: Store, reference: string): Model {
  const trimmed = reference.trim();
  // A bare repo name may be all digits, so a number is tried as an id first, then as a name.
  const byId =
    /^\d+$/.test(trimmed) && Number(trimmed) >= 1 && Number.isSafeInteger(Number(trimmed))
      ? store.models.get(Number(trimmed))
      : null;
  const { repoType, name } = parseRepoReference(trimmed);
  // A plain `org/name` that is no model but a dataset means the dataset: there is nothing else it could mean.
  const model =
    byId ?? store.models.byName(name, repoType) ?? (repoType === 'model' ? store.models.byName(name, 'dataset') : null);
  if (model === null) {
    throw new NotFoundError(`no model "${reference}"; see the known models with: hfsched model list`);
  }
  return model;
}
