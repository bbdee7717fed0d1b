/**
 * The check `model add` and `pull` make before they record a repository that
 * is not listed yet: one API call asking the Hub for the revision, so a typo
 * is refused at once and leaves no model behind. Skipped with `--no-check`
 * and in offline mode (HF_HUB_OFFLINE=1).
 */
import type { HubRuntime } from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { RepoReference } from '../store/index.js';
import type { CliContext } from './context.js';

export async function checkNewRepo(
  store: Store,
  context: CliContext,
  target: RepoReference,
  revision: string | null,
  runtime: HubRuntime,
): Promise<void> {
  if (store.models.byName(target.name, target.repoType) !== null) return;
  // Loaded only here: the Hub client is most of a command's start-up time.
  const { checkRepoOnHub, hubOffline } = await import('../download/repo-check.js');
  if (hubOffline(context.env)) return;
  await checkRepoOnHub(
    runtime,
    { repoId: target.name, repoType: target.repoType, revision },
    context.settings(store),
    context.env,
  );
}
