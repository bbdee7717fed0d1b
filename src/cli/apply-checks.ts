/**
 * What `apply` (and its `--dry-run`) checks before it writes anything, as the
 * commands that change one thing do: every model it would add, or whose
 * revision it changes, is asked of the Hub with the check of `model add`
 * (one API call each; `--no-check` and HF_HUB_OFFLINE=1 skip it), and the
 * schedule's windows must not overlap (`schedule add|set`'s rule). Both are
 * read with the settings as the file leaves them: its `hub.endpoint` or
 * `scheduler.timezone` count, not only the database's.
 */
import type { ApplyPlan, CurrentState } from '../apply/apply-plan.js';
import type { DesiredModel, ModelSetFile } from '../apply/model-set-file.js';
import { scheduleTimeZone, type Settings, type SettingsStore } from '../config/settings.js';
import { ValidationError } from '../errors.js';
import { refuseOverlappingWindows } from './window-overlap.js';

/** The settings once the file is applied: the file's own over the database's (or the defaults of a new one). */
export function settingsAfterApply(file: ModelSetFile, state: CurrentState): SettingsStore {
  const fromFile = new Map(file.settings.map((setting) => [setting.key, setting.value]));
  return {
    config: {
      get: (key) => fromFile.get(key) ?? state.storedSetting(key),
      set: () => {
        throw new Error('the settings of a plan are read only');
      },
    },
  };
}

/** A file whose schedule's windows overlap is bad input (exit 2), named by its line. */
export function refuseOverlappingSchedule(file: ModelSetFile, settings: SettingsStore, env: NodeJS.ProcessEnv): void {
  const schedule = file.schedule;
  if (schedule === undefined) return;
  try {
    refuseOverlappingWindows(
      schedule,
      scheduleTimeZone(settings, env),
      'shorten its for: or until:, or run less often',
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`${file.source}:${schedule.line}: schedule: ${error.message}`);
  }
}

/** The models of the plan the Hub is asked about: those added, and those whose revision changes. */
export function modelsToCheck(plan: ApplyPlan): DesiredModel[] {
  return plan.steps.flatMap((step) => {
    if (step.action === 'add-model') return [step.desired];
    if (step.action === 'change-model' && step.current.revision !== step.desired.revision) return [step.desired];
    return [];
  });
}

/** The same model at the same revision: what a real run may rely on having been checked. */
export function checkKey(model: DesiredModel): string {
  return `${model.type}:${model.repo}@${model.revision ?? 'main'}`;
}

/**
 * Asks the Hub about each model, in the file's order, and stops at the first
 * it refuses: its error (the Hub's answer, exit 1) with the file and line.
 * Returns the keys checked; none when offline (HF_HUB_OFFLINE=1).
 */
export async function checkModelsOnHub(
  models: readonly DesiredModel[],
  source: string,
  settings: Settings,
  env: NodeJS.ProcessEnv,
): Promise<Set<string> | 'offline'> {
  // Loaded only here: the Hub client is most of a command's start-up time.
  const [{ checkRepoOnHub, hubOffline }, { HubRuntime }] = await Promise.all([
    import('../download/repo-check.js'),
    import('../hub/index.js'),
  ]);
  if (hubOffline(env)) return 'offline';
  // One for every check: they share its connections and the Hub's rate limits.
  const runtime = new HubRuntime();
  const checked = new Set<string>();
  for (const model of models) {
    try {
      const repo = { repoId: model.repo, repoType: model.type, revision: model.revision };
      await checkRepoOnHub(runtime, repo, settings, env);
    } catch (error) {
      if (error instanceof Error)
        error.message = `${source}:${model.line}: ${error.message}; nothing was changed (--no-check skips this check)`;
      throw error;
    }
    checked.add(checkKey(model));
  }
  return checked;
}
