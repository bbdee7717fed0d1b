/**
 * How a person names a repository: a model by its repo id (`org/name`), a
 * dataset by `datasets/` and its repo id (`datasets/org/name`), the prefix
 * huggingface.js's repo designations and the Hub's own URLs use
 * (https://huggingface.co/datasets/org/name). Shown the same way everywhere
 * (model list, logs, status), so what a user sees is what they type.
 */
import type { RepoType } from './types.js';

const DATASET_PREFIX = 'datasets/';

export interface RepoReference {
  repoType: RepoType;
  name: string;
}

/** `org/name` for a model, `datasets/org/name` for a dataset. */
export function formatRepoReference(repoType: RepoType, name: string): string {
  return repoType === 'dataset' ? `${DATASET_PREFIX}${name}` : name;
}

/**
 * `datasets/org/name` -> a dataset; anything else -> a model with that name.
 * The Hub reserves `datasets` as a namespace, so no model id starts with it.
 */
export function parseRepoReference(text: string): RepoReference {
  const trimmed = text.trim();
  if (trimmed.startsWith(DATASET_PREFIX) && trimmed.length > DATASET_PREFIX.length) {
    return { repoType: 'dataset', name: trimmed.slice(DATASET_PREFIX.length) };
  }
  return { repoType: 'model', name: trimmed };
}
