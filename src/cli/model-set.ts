/**
 * `hfsched model set <model> --track | --no-track`: follow the model's branch
 * at each run, or pin it at the commit it has (a pinned model is never
 * checked; repairs fetch that same commit).
 */
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import { formatRepoReference } from '../store/index.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';

export function registerModelSetCommand(model: Command, context: CliContext): void {
  model
    .command('set')
    .description('change how a model is kept: follow its branch (--track) or pin it at its commit (--no-track)')
    .argument('<model>', 'repo id (datasets/org/name for a dataset) or id from hfsched model list')
    .option('--track', 'check the branch at each run and download it when it moved')
    .option('--no-track', 'pin the model at the commit it has; it is never checked again')
    .option('--json', 'print the model, as it is after the change, as JSON')
    .action(async (reference: string, options: { track?: boolean; json?: boolean }) => {
      if (options.track === undefined) throw new ValidationError('say what to change: --track or --no-track');
      const tracking = options.track;
      const updated = await context.withStore((store) => {
        const found = findModel(store, reference);
        store.models.updateOptions(found.id, { tracking });
        return store.models.get(found.id) ?? found;
      });
      if (options.json) return context.output.json(updated);
      const name = formatRepoReference(updated.repoType, updated.name);
      const commit = updated.currentCommit?.slice(0, 12) ?? 'the commit of its first download';
      context.output.done(
        tracking
          ? `${name} follows ${updated.revision ?? 'main'}: each run checks it and downloads it when it moved.`
          : `${name} is pinned at ${commit}; it is not checked any more.`,
      );
    });
}
