/**
 * An apply plan as lines for people (`+` adds, `~` changes, `-` removes) and
 * as JSON for scripts. Shared by `--dry-run` and a real run, so that what the
 * dry run shows is what a real run prints.
 */
import { describeScheduleTime, describeWindow } from '../schedule/schedule-timing.js';
import type { ApplyPlan, ApplyStep } from './apply-plan.js';
import { effectiveTracking, type DesiredModel } from './model-set-file.js';
import type { DesiredSchedule } from './schedule-entry.js';

function modelSummary(model: DesiredModel): string {
  const parts = [`revision ${model.revision ?? 'main'}`];
  if (!effectiveTracking(model)) parts.push('pinned');
  if (model.include.length > 0) parts.push(`include ${model.include.join(', ')}`);
  if (model.exclude.length > 0) parts.push(`exclude ${model.exclude.join(', ')}`);
  return parts.join('; ');
}

function scheduleSummary(schedule: DesiredSchedule): string {
  const window = describeWindow(schedule);
  return [describeScheduleTime(schedule), window, `${schedule.maxConcurrentDownloads} at a time`]
    .filter((part) => part !== '')
    .join(', ');
}

export function describeStep(step: ApplyStep): string {
  switch (step.action) {
    case 'add-model':
      return `+ ${step.desired.type} ${step.desired.repo} (${modelSummary(step.desired)})`;
    case 'change-model':
      return `~ ${step.current.repoType} ${step.current.name}: ${step.changes.join('; ')}${step.requeue ? ` (was ${step.current.status}: queued again)` : ''}`;
    case 'remove-model':
      return `- ${step.current.repoType} ${step.current.name} (its download history goes; its files stay in the cache)`;
    case 'add-schedule':
      return `+ schedule "${step.desired.name}" (${scheduleSummary(step.desired)}), enabled`;
    case 'replace-schedule':
      return `~ schedule "${step.desired.name}": ${step.current.type} -> ${step.desired.type}, replaced (${scheduleSummary(step.desired)}), enabled`;
    case 'change-schedule':
      return `~ schedule "${step.current.name}": ${step.changes.join('; ')}`;
    case 'enable-schedule':
      return `~ schedule "${step.current.name}": enabled (any other schedule is disabled)`;
    case 'set-setting':
      return `~ setting ${step.key}: ${step.from === null ? '(unset)' : JSON.stringify(step.from)} -> ${JSON.stringify(step.to)}`;
  }
}

/** What --prune does, said before the steps: "--prune: removes 2 of the 5 models in the database (...)". */
export function describePrune(prune: NonNullable<ApplyPlan['prune']>, source: string): string {
  const models = `${prune.of} model${prune.of === 1 ? '' : 's'}`;
  return `--prune: removes ${prune.removes} of the ${models} in the database (those ${source} does not list)`;
}

/** The plan for `--json`: one object per step with its action and text, plus the warnings. */
export function planJson(plan: ApplyPlan, dryRun: boolean): Record<string, unknown> {
  return {
    dryRun,
    changed: !dryRun && plan.steps.length > 0,
    steps: plan.steps.map((step) => ({ action: step.action, text: describeStep(step) })),
    prune: plan.prune,
    warnings: plan.warnings,
  };
}
