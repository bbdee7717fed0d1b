/**
 * `--repo-type model|dataset`, as `hf download --repo-type dataset` takes it,
 * for the commands that name a repository that may not be known yet
 * (`model add`, `pull`). `datasets/org/name` says the same without the option.
 */
import { Option } from 'commander';
import { ValidationError } from '../errors.js';
import { parseRepoReference, REPO_TYPES, type RepoReference, type RepoType } from '../store/index.js';

export interface RepoTypeOption {
  repoType?: RepoType;
}

export function repoTypeOption(): Option {
  return new Option('--repo-type <type>', 'the kind of repository (default: model)').choices(REPO_TYPES);
}

/** The repository a command names: `datasets/` or `--repo-type` makes it a dataset; both must agree. */
export function repoTarget(text: string, optionType: RepoType | undefined): RepoReference {
  const parsed = parseRepoReference(text);
  if (optionType === undefined || optionType === parsed.repoType) return parsed;
  if (parsed.repoType === 'dataset') {
    throw new ValidationError(`"${text}" names a dataset but --repo-type says ${optionType}; drop one of them`);
  }
  return { repoType: optionType, name: parsed.name };
}
