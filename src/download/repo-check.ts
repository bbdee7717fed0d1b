/**
 * Does the Hub have this repository at this revision? One API call (the
 * revision endpoint `model info` uses), made when a model is added, so that a
 * typo fails at once instead of at the next firing (perhaps 01:00), and then
 * at every firing after it. Skipped in offline mode (`HF_HUB_OFFLINE`, as
 * huggingface_hub reads it) and with `--no-check`.
 */
import type { Settings } from '../config/settings.js';
import { readToken, resolveHubLocation } from '../config/hub-location.js';
import { resolveRevisionCommit, type HubRepoType, type HubRuntime } from '../hub/index.js';
import { useNetworkSettings } from './snapshot-settings.js';

export interface RepoToCheck {
  repoId: string;
  repoType: HubRepoType;
  /** null: the default branch, main. */
  revision: string | null;
}

/** huggingface_hub's truthy values for a boolean environment variable (constants._is_true). */
const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

/** Whether HF_HUB_OFFLINE asks not to call the Hub. */
export function hubOffline(env: NodeJS.ProcessEnv): boolean {
  return TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase());
}

/**
 * The commit the revision points at now. Throws the Hub's answer as a
 * one-line error naming the repository (NotFoundError for a repository or a
 * revision the Hub does not have, ConstraintError for a gated one, ...).
 */
export async function checkRepoOnHub(
  runtime: HubRuntime,
  repo: RepoToCheck,
  settings: Settings,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const location = resolveHubLocation(settings, env);
  useNetworkSettings(runtime, settings, env);
  return resolveRevisionCommit(runtime.http, {
    endpoint: location.endpoint,
    token: readToken(env).token,
    repoId: repo.repoId,
    repoType: repo.repoType,
    revision: repo.revision ?? 'main',
    stallTimeoutMs: settings.downloadStallTimeoutSeconds * 1000,
  });
}
