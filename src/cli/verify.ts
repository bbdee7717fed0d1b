/**
 * `hfsched verify [<model>...] [--json]`: re-hashes the files of each
 * completed model's current snapshot against the hashes recorded when it was
 * downloaded (no network), reports every file missing, corrupt, or a copy
 * where a link should be, and marks a damaged model for repair (pending, with
 * the reason): the next run fetches only what is broken.
 *
 * Exit status: 0 all intact, 1 damage found, 2 bad usage (unknown model).
 */
import type { Command } from 'commander';
import type { Writable } from 'node:stream';
import { elsewhereNote, modelCacheFolder } from '../download/model-cache-folder.js';
import { verifyModel, type VerifyOutcome } from '../download/model-verify.js';
import { IntegrityError, NotFoundError, ValidationError } from '../errors.js';
import type { VerifyProgress } from '../hub/index.js';
import { formatRepoReference, type Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';
import { formatBytes } from '../system/human-units.js';

const PROGRESS_EVERY_MS = 200;

interface ModelReport {
  model: string;
  id: number;
  /** The cache folder the model's files were verified in (where it was downloaded). */
  cacheDir: string;
  outcome: VerifyOutcome;
}

/** A one-line progress on a terminal (stderr), redrawn at most every PROGRESS_EVERY_MS; nothing elsewhere. */
function progressLine(
  stream: Writable & { isTTY?: boolean },
  name: string,
): { update(p: VerifyProgress): void; clear(): void } {
  if (stream.isTTY !== true) return { update: () => {}, clear: () => {} };
  let last = 0;
  return {
    update(progress) {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS && progress.filesDone !== progress.fileCount) return;
      last = now;
      const percent = progress.totalBytes === 0 ? 100 : Math.floor((progress.doneBytes * 100) / progress.totalBytes);
      stream.write(
        `\r\x1b[2Kverifying ${name}: ${progress.filesDone}/${progress.fileCount} files, ${formatBytes(progress.doneBytes)} of ${formatBytes(progress.totalBytes)} (${percent}%)`,
      );
    },
    clear() {
      stream.write('\r\x1b[2K');
    },
  };
}

/** The named models (every model when none is named). An unknown name is bad usage (exit 2), not damage (exit 1). */
function modelsToVerify(store: Store, references: string[]): Model[] {
  if (references.length === 0) return store.models.list();
  return references.map((reference) => {
    try {
      return findModel(store, reference);
    } catch (error) {
      if (error instanceof NotFoundError) throw new ValidationError(error.message);
      throw error;
    }
  });
}

function printReports(context: CliContext, reports: ModelReport[]): void {
  const rows: string[][] = [];
  for (const { model, outcome } of reports) {
    if (outcome.state === 'ok') rows.push([model, 'ok', `${outcome.files} files, ${formatBytes(outcome.bytes)}`, '']);
    else if (outcome.state === 'skipped') rows.push([model, 'skipped', outcome.reason, '']);
    else for (const problem of outcome.problems) rows.push([model, problem.problem, problem.path, problem.detail]);
  }
  if (rows.length === 0) return context.output.text('No models to verify; add one with: hfsched model add <repo_id>');
  context.output.table(['MODEL', 'RESULT', 'FILE', 'DETAIL'], rows);
}

export function registerVerifyCommand(program: Command, context: CliContext): void {
  program
    .command('verify')
    .description('re-hash the files of completed models (offline) and mark damaged ones for repair by the next run')
    .argument('[model...]', 'repo ids (datasets/org/name for a dataset) or ids; default: every model')
    .option('--json', 'print one result per model as JSON')
    .addHelpText('after', '\nExit status: 0 all intact, 1 damage found (repaired by the next run), 2 bad usage.')
    .action(async (references: string[], options: { json?: boolean }) => {
      const reports = await context.withStore(async (store) => {
        const settings = context.settings(store);
        const models = modelsToVerify(store, references);
        const done: ModelReport[] = [];
        for (const model of models) {
          const name = formatRepoReference(model.repoType, model.name);
          const folder = modelCacheFolder(model, settings, context.env);
          if (folder.elsewhere && model.status === 'completed') context.output.note(elsewhereNote(name, folder));
          const line = progressLine(process.stderr, name);
          try {
            const outcome = await verifyModel(store, model, {
              settings,
              env: context.env,
              onProgress: (progress) => line.update(progress),
            });
            done.push({ model: name, id: model.id, cacheDir: folder.cacheDir, outcome });
          } finally {
            line.clear();
          }
        }
        return done;
      });
      if (options.json) context.output.json(reports);
      else printReports(context, reports);
      const damaged = reports.filter((report) => report.outcome.state === 'damaged');
      if (damaged.length > 0) {
        const files = damaged.reduce(
          (sum, report) => sum + (report.outcome.state === 'damaged' ? report.outcome.problems.length : 0),
          0,
        );
        throw new IntegrityError(
          `${files} damaged ${files === 1 ? 'file' : 'files'} in ${damaged.map((report) => report.model).join(', ')}; marked pending: the next run fetches only what is broken (or run hfsched pull now)`,
        );
      }
    });
}
