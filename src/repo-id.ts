/**
 * The Hugging Face repository id rule, shared by the store (model names), the
 * hub client (URLs and cache folder names), the CLI and model-set files.
 */
import { ValidationError } from './errors.js';

const REPO_ID_PART = /^[A-Za-z0-9._-]{1,96}$/;

/**
 * A Hugging Face repo id: `name` or `namespace/name`, as huggingface_hub's
 * `validate_repo_id` accepts them (huggingface_hub/utils/_validators.py):
 * each part 1..96 of `A-Z a-z 0-9 . _ -`, not starting or ending with `-` or
 * `.`, no `--` or `..` anywhere, at most one `/`, not ending in `.git`.
 */
export function validateRepoId(repoId: unknown): string {
  const shown = JSON.stringify(repoId);
  if (typeof repoId !== 'string' || repoId.length === 0) {
    throw new ValidationError(`invalid model name ${shown}: expected a Hugging Face repo id like "org/name"`);
  }
  const parts = repoId.split('/');
  const why =
    parts.length > 2
      ? 'at most one "/" (namespace/name)'
      : parts.some((part) => !REPO_ID_PART.test(part))
        ? 'each part 1 to 96 characters of letters, digits, ".", "_" and "-"'
        : parts.some((part) => /^[-.]|[-.]$/.test(part))
          ? 'no part starting or ending with "-" or "."'
          : repoId.includes('--') || repoId.includes('..')
            ? 'no "--" or ".."'
            : repoId.endsWith('.git')
              ? 'no ".git" ending'
              : null;
  if (why !== null) {
    throw new ValidationError(`invalid model name ${shown}: a Hugging Face repo id has ${why}, e.g. "org/name"`);
  }
  return repoId;
}
