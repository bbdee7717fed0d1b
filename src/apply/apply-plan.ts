/**
 * What `hfsched apply` would change: a pure comparison of the model set file
 * with what the database holds now. Planning and applying are separate so that
 * `--dry-run` prints exactly what a real run does, and a second run over an
 * unchanged database plans nothing (idempotence).
 */
import { ConstraintError } from '../errors.js';
import type { Model, ScheduleConfiguration } from '../store/types.js';
import { effectiveTracking, type DesiredModel, type DesiredSetting, type ModelSetFile } from './model-set-file.js';
import type { DesiredSchedule } from './schedule-entry.js';

export type ApplyStep =
  | { action: 'add-model'; desired: DesiredModel }
  | { action: 'change-model'; current: Model; desired: DesiredModel; changes: string[]; requeue: boolean }
  | { action: 'remove-model'; current: Model }
  | { action: 'add-schedule'; desired: DesiredSchedule }
  | { action: 'change-schedule'; current: ScheduleConfiguration; desired: DesiredSchedule; changes: string[] }
  | { action: 'replace-schedule'; current: ScheduleConfiguration; desired: DesiredSchedule }
  | { action: 'enable-schedule'; current: ScheduleConfiguration }
  | { action: 'set-setting'; key: string; from: string | null; to: string };

export interface ApplyPlan {
  steps: ApplyStep[];
  /** With --prune: how many models it removes, of how many the database holds; null without --prune. */
  prune: { removes: number; of: number } | null;
  /** What was asked but is not done, and why (e.g. a model that is downloading). */
  warnings: string[];
}

/** What the database holds now. */
export interface CurrentState {
  models: Model[];
  schedules: ScheduleConfiguration[];
  /** The stored text of a setting, or null when it has no row. */
  storedSetting(key: string): string | null;
}

export interface PlanOptions {
  prune: boolean;
  /** With prune: accept a file without a `models:` list, which removes every model. */
  allowEmpty?: boolean;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function listText(patterns: readonly string[]): string {
  return patterns.length === 0 ? '(none)' : patterns.join(', ');
}

function modelChanges(current: Model, desired: DesiredModel): string[] {
  const changes: string[] = [];
  if (current.revision !== desired.revision) {
    changes.push(`revision ${current.revision ?? 'main'} -> ${desired.revision ?? 'main'}`);
  }
  if (!sameList(current.includePatterns, desired.include)) {
    changes.push(`include ${listText(current.includePatterns)} -> ${listText(desired.include)}`);
  }
  if (!sameList(current.excludePatterns, desired.exclude)) {
    changes.push(`exclude ${listText(current.excludePatterns)} -> ${listText(desired.exclude)}`);
  }
  const tracking = effectiveTracking(desired);
  if (current.tracking !== tracking) changes.push(`track ${current.tracking} -> ${tracking}`);
  return changes;
}

function planModels(file: ModelSetFile, state: CurrentState, options: PlanOptions, plan: ApplyPlan): void {
  // A model and a dataset may share a repo id: they are told apart by type.
  const byKey = new Map(state.models.map((model) => [`${model.repoType}:${model.name}`, model]));
  for (const desired of file.models) {
    const current = byKey.get(`${desired.type}:${desired.repo}`);
    if (current === undefined) {
      plan.steps.push({ action: 'add-model', desired });
      continue;
    }
    const changes = modelChanges(current, desired);
    if (changes.length === 0) continue;
    if (current.status === 'downloading') {
      plan.warnings.push(
        `model ${current.name} is downloading: its changes (${changes.join('; ')}) are not applied; run apply again once it ends`,
      );
      continue;
    }
    // A finished model would never be fetched again with its new selection: queue it.
    const requeue = current.status === 'completed' || current.status === 'failed';
    plan.steps.push({ action: 'change-model', current, desired, changes, requeue });
  }
  if (!options.prune) return;
  plan.prune = { removes: 0, of: state.models.length };
  const listed = new Set(file.models.map((model) => `${model.type}:${model.repo}`));
  for (const current of state.models) {
    if (listed.has(`${current.repoType}:${current.name}`)) continue;
    if (current.status === 'downloading') {
      plan.warnings.push(
        `model ${current.name} is downloading: it is not removed; pause it (hfsched model pause ${current.name}) or run apply --prune again once it ends`,
      );
    } else {
      plan.steps.push({ action: 'remove-model', current });
      plan.prune.removes += 1;
    }
  }
}

function scheduleChanges(current: ScheduleConfiguration, desired: DesiredSchedule): string[] {
  const fields = [
    ['time', current.time, desired.time],
    ['day of week', current.dayOfWeek, desired.dayOfWeek],
    ['cron', current.cronPattern, desired.cronPattern],
    ['window end', current.windowEnd, desired.windowEnd],
    ['window minutes', current.windowMinutes, desired.windowMinutes],
    ['max concurrent downloads', current.maxConcurrentDownloads, desired.maxConcurrentDownloads],
  ] as const;
  return fields
    .filter(([, now, wanted]) => now !== wanted)
    .map(([what, now, wanted]) => `${what} ${now ?? '(none)'} -> ${wanted ?? '(none)'}`);
}

function planSchedule(desired: DesiredSchedule | undefined, state: CurrentState, plan: ApplyPlan): void {
  if (desired === undefined) return;
  const current = state.schedules.find((schedule) => schedule.name === desired.name);
  if (current === undefined) {
    plan.steps.push({ action: 'add-schedule', desired });
    return;
  }
  // A schedule keeps its type (`schedule set` refuses to change it): a new type means a new schedule.
  if (current.type !== desired.type) {
    plan.steps.push({ action: 'replace-schedule', current, desired });
    return;
  }
  const changes = scheduleChanges(current, desired);
  if (changes.length > 0) plan.steps.push({ action: 'change-schedule', current, desired, changes });
  if (!current.enabled) plan.steps.push({ action: 'enable-schedule', current });
}

function planSettings(settings: DesiredSetting[], state: CurrentState, plan: ApplyPlan): void {
  for (const setting of settings) {
    const stored = state.storedSetting(setting.key);
    if (stored !== setting.value)
      plan.steps.push({ action: 'set-setting', key: setting.key, from: stored, to: setting.value });
  }
}

/**
 * A file that lost its `models:` list (an empty ConfigMap key, a settings-only
 * file, empty standard input) would prune every model and its history: only
 * an explicit `models: []` or `--allow-empty` may do that.
 */
export function refuseUnlistedPrune(file: ModelSetFile, options: PlanOptions): void {
  if (!options.prune || file.modelsListed || options.allowEmpty === true) return;
  throw new ConstraintError(
    `${file.source} has no models list, and --prune would remove every model: nothing was changed; write "models: []" to mean no models, or add --allow-empty`,
  );
}

/** The steps that bring the database to the file; empty when it already matches. */
export function planApply(file: ModelSetFile, state: CurrentState, options: PlanOptions): ApplyPlan {
  refuseUnlistedPrune(file, options);
  const plan: ApplyPlan = { steps: [], prune: null, warnings: [] };
  planModels(file, state, options, plan);
  planSchedule(file.schedule, state, plan);
  planSettings(file.settings, state, plan);
  return plan;
}
