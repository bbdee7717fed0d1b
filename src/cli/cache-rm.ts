/**
 * `hfsched cache rm TARGET... [--dry-run] [-y]`: `hf cache rm` (huggingface_hub
 * 1.x, `cli/cache.py`) over the repositories hfsched manages. A target is a
 * repo id (`org/name`), `datasets/org/name`, the `model/…` or `dataset/…` id
 * that `cache ls` prints, or a 40-hex commit. Each selected revision goes
 * with its refs, tree listing and the blobs no other revision uses (prune's
 * code, store entries collected by their rule). The revision a model is at
 * is refused: `model remove --purge` removes a model with its files.
 */
import { ConstraintError, ValidationError } from '../errors.js';
import type { RepoUsage } from '../hub/index.js';
import { isCommitHash } from '../hub/index.js';

export interface ManagedUsage {
  /** `model/org/name` or `dataset/org/name`. */
  id: string;
  usage: RepoUsage;
  /** The commit the model is at (never removed here), or null. */
  currentCommit: string | null;
  /** How to name the model in a message: org/name or datasets/org/name. */
  reference: string;
}

/** Each target's repository and commits; ValidationError for a target that is no id nor commit. */
export function resolveTargets(
  targets: string[],
  repos: ManagedUsage[],
): { selected: Map<ManagedUsage, Set<string>>; missing: string[] } {
  const selected = new Map<ManagedUsage, Set<string>>();
  const missing: string[] = [];
  const add = (repo: ManagedUsage, commits: string[]): void => {
    const set = selected.get(repo) ?? new Set<string>();
    for (const commit of commits) set.add(commit);
    selected.set(repo, set);
  };
  for (const raw of targets) {
    const target = raw.trim();
    if (isCommitHash(target.toLowerCase())) {
      const repo = repos.find(({ usage }) => usage.snapshots.some((s) => s.commit === target.toLowerCase()));
      if (repo === undefined) missing.push(raw);
      else add(repo, [target.toLowerCase()]);
      continue;
    }
    if (!/^[\w.-]+(\/[\w.-]+){0,2}$/.test(target) || target.split('/').length > 3)
      throw new ValidationError(`invalid target "${raw}": a repo id, datasets/org/name or a 40-hex commit`);
    const id = target.replace(/^datasets\//, 'dataset/').replace(/^models\//, 'model/');
    const wanted = /^(model|dataset)\//.test(id) ? id : `model/${id}`;
    const repo = repos.find((candidate) => candidate.id.toLowerCase() === wanted.toLowerCase());
    if (repo === undefined) missing.push(raw);
    else
      add(
        repo,
        repo.usage.snapshots.map((snapshot) => snapshot.commit),
      );
  }
  for (const [repo, commits] of selected) {
    if (repo.currentCommit !== null && commits.has(repo.currentCommit))
      throw new ConstraintError(
        `${repo.reference} is at revision ${repo.currentCommit}, which cache rm leaves in place; remove the model with its files: hfsched model remove ${repo.reference} --purge`,
      );
  }
  return { selected, missing };
}
