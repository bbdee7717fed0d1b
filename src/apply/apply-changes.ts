/**
 * Carries out an apply plan on the store, in one write transaction: the plan
 * is made from what the database holds inside that same transaction, so a
 * daemon that starts a download meanwhile cannot slip between the two, and a
 * failure part-way leaves the database as it was.
 */
import { SETTING_DEFAULTS } from '../config/setting-table.js';
import { setSetting } from '../config/settings.js';
import type { Store } from '../store/index.js';
import type { ModelOptions } from '../store/types.js';
import { effectiveTracking, type DesiredModel, type ModelSetFile } from './model-set-file.js';
import { planApply, type ApplyPlan, type ApplyStep, type CurrentState, type PlanOptions } from './apply-plan.js';

/** What the database holds now, read through the store. */
export function currentState(store: Store): CurrentState {
  return {
    models: store.models.list(),
    schedules: store.schedules.list(),
    storedSetting: (key) => store.config.get(key),
  };
}

/** What `hfsched init` would create: a dry run plans against it when there is no database yet. */
export const NEW_DATABASE_STATE: CurrentState = {
  models: [],
  schedules: [],
  storedSetting: (key) => SETTING_DEFAULTS.find((entry) => entry.key === key)?.value ?? null,
};

function createAndEnableSchedule(store: Store, step: Extract<ApplyStep, { action: 'add-schedule' }>['desired']): void {
  const created = store.schedules.create({
    name: step.name,
    type: step.type,
    time: step.time,
    dayOfWeek: step.dayOfWeek,
    maxConcurrentDownloads: step.maxConcurrentDownloads,
    cronPattern: step.cronPattern,
    windowEnd: step.windowEnd,
    windowMinutes: step.windowMinutes,
  });
  store.schedules.enable(created.id);
}

/** The store's options for a model of the file. */
function modelOptionsOf(desired: DesiredModel): ModelOptions {
  return {
    revision: desired.revision,
    includePatterns: desired.include,
    excludePatterns: desired.exclude,
    tracking: effectiveTracking(desired),
  };
}

function runStep(store: Store, step: ApplyStep): void {
  switch (step.action) {
    case 'add-model':
      store.models.create({ name: step.desired.repo, ...modelOptionsOf(step.desired), repoType: step.desired.type });
      return;
    case 'change-model':
      store.models.updateOptions(step.current.id, modelOptionsOf(step.desired));
      if (step.requeue) store.models.updateStatus(step.current.id, 'pending');
      return;
    case 'remove-model':
      store.models.delete(step.current.id);
      return;
    case 'add-schedule':
      createAndEnableSchedule(store, step.desired);
      return;
    case 'replace-schedule':
      store.schedules.delete(step.current.id);
      createAndEnableSchedule(store, step.desired);
      return;
    case 'change-schedule':
      store.schedules.update(step.current.id, {
        time: step.desired.time,
        dayOfWeek: step.desired.dayOfWeek,
        cronPattern: step.desired.cronPattern,
        windowEnd: step.desired.windowEnd,
        windowMinutes: step.desired.windowMinutes,
        maxConcurrentDownloads: step.desired.maxConcurrentDownloads,
      });
      return;
    case 'enable-schedule':
      store.schedules.enable(step.current.id);
      return;
    case 'set-setting':
      setSetting(store, step.key, step.to);
      return;
  }
}

/**
 * Plans and applies in one transaction; returns the plan that was carried out.
 * `beforeSteps` sees the plan before any step runs (to say what a prune is
 * about to remove).
 */
export function applyModelSet(
  store: Store,
  file: ModelSetFile,
  options: PlanOptions,
  beforeSteps?: (plan: ApplyPlan) => void,
): ApplyPlan {
  return store.transaction(() => {
    const plan = planApply(file, currentState(store), options);
    beforeSteps?.(plan);
    for (const step of plan.steps) runStep(store, step);
    return plan;
  });
}
