/**
 * `hfsched apply -f FILE [--dry-run] [--prune]`: make the database match a
 * declarative model set (docs/apply.md). Creates the database when there is
 * none (like `hfsched init`), so a container or a Kubernetes init container
 * needs this one command. Running it again with the same file changes nothing.
 */
import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import { applyModelSet, currentState, NEW_DATABASE_STATE } from '../apply/apply-changes.js';
import { planApply, refuseUnlistedPrune, type ApplyPlan, type PlanOptions } from '../apply/apply-plan.js';
import { MODEL_SET_MAX_BYTES, parseModelSetFile, type ModelSetFile } from '../apply/model-set-file.js';
import { describePrune, describeStep, planJson } from '../apply/plan-text.js';
import { SETTING_DEFAULTS } from '../config/setting-table.js';
import { initializeDatabase, openStore } from '../store/index.js';
import type { CliContext } from './context.js';

interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  prune?: boolean;
  allowEmpty?: boolean;
  json?: boolean;
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

function planOnly(context: CliContext, file: ModelSetFile, options: PlanOptions): ApplyPlan {
  const path = context.databasePath();
  // A dry run creates nothing: without a database, everything in the file is new.
  if (!existsSync(path)) return planApply(file, NEW_DATABASE_STATE, options);
  const store = openStore(path);
  try {
    return planApply(file, currentState(store), options);
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
    .action(async (options: ApplyOptions) => {
      const file = await readModelSetFile(options.file);
      const planOptions: PlanOptions = { prune: options.prune === true, allowEmpty: options.allowEmpty === true };
      // Before the database is created: a refusal changes nothing.
      refuseUnlistedPrune(file, planOptions);
      let plan: ApplyPlan;
      if (options.dryRun) {
        plan = planOnly(context, file, planOptions);
        printPrune(context, plan, file, options);
      } else {
        plan = applyForReal(context, file, planOptions, (planned) => printPrune(context, planned, file, options));
      }
      printPlan(context, plan, options);
    });
}
