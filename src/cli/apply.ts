/**
 * `hfsched apply -f FILE [--dry-run] [--prune]`: make the database match a
 * declarative model set (docs/apply.md). Creates the database when there is
 * none (like `hfsched init`), so a container or a Kubernetes init container
 * needs this one command. Running it again with the same file changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import { applyModelSet, currentState, NEW_DATABASE_STATE } from '../apply/apply-changes.js';
import { planApply, type ApplyPlan } from '../apply/apply-plan.js';
import { parseModelSetFile, type ModelSetFile } from '../apply/model-set-file.js';
import { describeStep, planJson } from '../apply/plan-text.js';
import { SETTING_DEFAULTS } from '../config/defaults.js';
import { initializeDatabase, openStore } from '../store/index.js';
import type { CliContext } from './context.js';

interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  prune?: boolean;
  json?: boolean;
}

function readModelSetFile(path: string): ModelSetFile {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ValidationError(`cannot read the model set file ${path} (${reason})`);
  }
  return parseModelSetFile(text, path === '-' ? '<stdin>' : path);
}

function planOnly(context: CliContext, file: ModelSetFile, prune: boolean): ApplyPlan {
  const path = context.databasePath();
  // A dry run creates nothing: without a database, everything in the file is new.
  if (!existsSync(path)) return planApply(file, NEW_DATABASE_STATE, { prune });
  const store = openStore(path);
  try {
    return planApply(file, currentState(store), { prune });
  } finally {
    store.close();
  }
}

function applyForReal(context: CliContext, file: ModelSetFile, prune: boolean): ApplyPlan {
  const path = context.databasePath();
  initializeDatabase(path, SETTING_DEFAULTS);
  const store = openStore(path);
  try {
    return applyModelSet(store, file, { prune });
  } finally {
    store.close();
  }
}

function printPlan(context: CliContext, plan: ApplyPlan, options: ApplyOptions): void {
  for (const warning of plan.warnings) context.output.error(`warning: ${warning}`);
  if (options.json) return context.output.json(planJson(plan, options.dryRun === true));
  if (plan.steps.length === 0) {
    context.output.text(`Nothing to change: the database already matches ${options.file}.`);
    return;
  }
  for (const step of plan.steps) context.output.text(describeStep(step));
  const count = `${plan.steps.length} change${plan.steps.length === 1 ? '' : 's'}`;
  context.output.text(options.dryRun ? `Dry run: ${count} planned, nothing written.` : `Applied ${count}.`);
}

export function registerApplyCommand(program: Command, context: CliContext): void {
  program
    .command('apply')
    .description('make the models, schedule and settings match a YAML file (idempotent; see docs/apply.md)')
    .requiredOption('-f, --file <path>', 'the model set file (YAML), or - for standard input')
    .option('--dry-run', 'print what would change and change nothing')
    .option('--prune', 'also remove models the file does not list (never one that is downloading)')
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  hfsched apply -f hfsched.yaml --dry-run\n  hfsched apply -f hfsched.yaml --prune',
    )
    .action((options: ApplyOptions) => {
      const file = readModelSetFile(options.file);
      const prune = options.prune === true;
      const plan = options.dryRun ? planOnly(context, file, prune) : applyForReal(context, file, prune);
      printPlan(context, plan, options);
    });
}
