/**
 * `hfsched apply -f FILE [--dry-run] [--prune]`: make the database match a
 * declarative model set (docs/apply.md). Creates the database when there is
 * none (like `hfsched init`), so a container or a Kubernetes init container
 * needs this one command. Running it again with the same file changes nothing.
 */
import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConstraintError, ValidationError } from '../errors.js';
import { applyModelSet, currentState, NEW_DATABASE_STATE } from '../apply/apply-changes.js';
import {
  planApply,
  refuseUnlistedPrune,
  type ApplyPlan,
  type CurrentState,
  type PlanOptions,
} from '../apply/apply-plan.js';
import { MODEL_SET_MAX_BYTES, parseModelSetFile, type ModelSetFile } from '../apply/model-set-file.js';
import { describePrune, describeStep, planJson } from '../apply/plan-text.js';
import { SETTING_DEFAULTS } from '../config/setting-table.js';
import { readSettings, type Settings } from '../config/settings.js';
import { initializeDatabase, openStore } from '../store/index.js';
import type { CliContext } from './context.js';
import {
  checkKey,
  checkModelsOnHub,
  modelsToCheck,
  refuseOverlappingSchedule,
  settingsAfterApply,
} from './apply-checks.js';

interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  prune?: boolean;
  allowEmpty?: boolean;
  json?: boolean;
  /** commander's --no-check: false skips the Hub check. */
  check: boolean;
}

/**
 * The file's text, read no further than the size limit: a path, or `-` for
 * standard input. Read as a stream, so a FIFO or an endless device fails on
 * its size instead of holding the command.
 */
async function readModelSetText(path: string): Promise<string> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MODEL_SET_MAX_BYTES) break;
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ValidationError(`cannot read the model set file ${path} (${reason})`);
  } finally {
    input.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readModelSetFile(path: string): Promise<ModelSetFile> {
  return parseModelSetFile(await readModelSetText(path), path === '-' ? '<stdin>' : path);
}

/**
 * The plan against the database as it is now (a new, empty one when there is
 * none: nothing is created), and the settings as the file leaves them. The
 * schedule's windows are checked here, with the time zone the file leaves.
 */
function planOnly(
  context: CliContext,
  file: ModelSetFile,
  options: PlanOptions,
): { plan: ApplyPlan; settings: Settings } {
  const planWith = (state: CurrentState): { plan: ApplyPlan; settings: Settings } => {
    const after = settingsAfterApply(file, state);
    refuseOverlappingSchedule(file, after, context.env);
    return { plan: planApply(file, state, options), settings: readSettings(after, context.env) };
  };
  const path = context.databasePath();
  if (!existsSync(path)) return planWith(NEW_DATABASE_STATE);
  const store = openStore(path);
  try {
    return planWith(currentState(store));
  } finally {
    store.close();
  }
}

function applyForReal(
  context: CliContext,
  file: ModelSetFile,
  options: PlanOptions,
  beforeSteps: (plan: ApplyPlan) => void,
): ApplyPlan {
  const path = context.databasePath();
  initializeDatabase(path, SETTING_DEFAULTS);
  const store = openStore(path);
  try {
    return applyModelSet(store, file, options, beforeSteps);
  } finally {
    store.close();
  }
}

/**
 * The real run plans again inside its transaction: a model that another
 * command added or moved while the Hub was asked would be applied unchecked.
 * Then nothing is written, and apply is run again.
 */
function refuseUnchecked(plan: ApplyPlan, checked: Set<string> | 'offline' | 'skipped'): void {
  if (typeof checked === 'string') return;
  const unchecked = modelsToCheck(plan).find((model) => !checked.has(checkKey(model)));
  if (unchecked === undefined) return;
  throw new ConstraintError(
    `the database changed while the Hub was asked (${unchecked.repo} line ${unchecked.line}): nothing was changed; run apply again`,
  );
}

/** Said before anything is removed: the count a prune removes. */
function printPrune(context: CliContext, plan: ApplyPlan, file: ModelSetFile, options: ApplyOptions): void {
  if (plan.prune !== null && !options.json) context.output.text(describePrune(plan.prune, file.source));
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
    .option('--prune', 'also remove models the file does not list (never one that is downloading); says how many first')
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  hfsched apply -f hfsched.yaml --dry-run\n  hfsched apply -f hfsched.yaml --prune',
    )
    .option('--allow-empty', 'with --prune: accept a file without a models list (it removes every model)')
    .option('--no-check', 'do not ask the Hub whether it has the models added or moved to a new revision')
    .action(async (options: ApplyOptions) => {
      const file = await readModelSetFile(options.file);
      const planOptions: PlanOptions = { prune: options.prune === true, allowEmpty: options.allowEmpty === true };
      // Before the database is created: a refusal changes nothing.
      refuseUnlistedPrune(file, planOptions);
      const planned = planOnly(context, file, planOptions);
      const checked = options.check
        ? await checkModelsOnHub(modelsToCheck(planned.plan), file.source, planned.settings, context.env)
        : 'skipped';
      let plan: ApplyPlan;
      if (options.dryRun) {
        plan = planned.plan;
        printPrune(context, plan, file, options);
      } else {
        plan = applyForReal(context, file, planOptions, (inTransaction) => {
          refuseUnchecked(inTransaction, checked);
          printPrune(context, inTransaction, file, options);
        });
      }
      printPlan(context, plan, options);
    });
}
