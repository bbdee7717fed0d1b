/**
 * `hfsched pull <repo_id>`: downloads a model now, in the foreground, and
 * records it as the daemon would: the model is added if it is unknown, and
 * the attempt is a download session in `hfsched history`. The model's stored
 * revision and include/exclude patterns apply unless the command line gives
 * its own (for this pull only). Ctrl-C pauses: partial files stay, the
 * session is cancelled, the model paused, and the exit status is 130 (143
 * for SIGTERM); running the same command again resumes.
 */
import type { Command } from 'commander';
import { readToken } from '../config/hub-location.js';
import { formatBytes, formatDuration } from '../system/human-units.js';
import type { Model } from '../store/types.js';
import type { Store } from '../store/index.js';
import { takeOverOrphanedDownload } from '../download/download-owner.js';
import { downloadModel, type DownloadModelOutcome } from '../download/download-model.js';
import type { CliContext } from './context.js';
import { collect } from './option-parsers.js';
import { createPullDisplay } from './pull-progress.js';
import { formatRepoReference } from '../store/index.js';
import { repoTarget, repoTypeOption, type RepoTypeOption } from './repo-type-option.js';

/** What shells report for a command stopped by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM). */
const EXIT_STATUS_OF: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

interface PullOptions extends RepoTypeOption {
  revision?: string;
  include?: string[];
  exclude?: string[];
}

/** The known model, or a new one created with the command line's options. */
function modelToPull(store: Store, reference: string, options: PullOptions, note: (message: string) => void): Model {
  const { repoType, name: repoId } = repoTarget(reference, options.repoType);
  const known = store.getModelByName(repoId, repoType);
  if (known !== null) {
    const { model, recovered } = takeOverOrphanedDownload(store, known);
    if (recovered !== null) {
      note(
        `the previous download of ${repoId} (pid ${String(recovered.metadata?.ownerPid)}) was interrupted; resuming it`,
      );
    }
    return model;
  }
  const created = store.createModel(repoId, undefined, undefined, {
    repoType,
    revision: options.revision ?? null,
    includePatterns: options.include ?? [],
    excludePatterns: options.exclude ?? [],
  });
  note(`added ${repoType} ${formatRepoReference(repoType, created.name)} (id ${created.id})`);
  return created;
}

/**
 * Ctrl-C (and SIGTERM) pause the download; a second one quits at once.
 * Returns the exit status for the signal received (once there was one) and a cleanup.
 */
function pauseOnSignals(controller: AbortController): { exitStatus: () => number; remove: () => void } {
  let received: 'SIGINT' | 'SIGTERM' = 'SIGINT';
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (controller.signal.aborted) process.exit(EXIT_STATUS_OF[signal]);
    received = signal;
    controller.abort(signal === 'SIGINT' ? 'interrupted by Ctrl-C' : `stopped by ${signal}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    exitStatus: () => EXIT_STATUS_OF[received],
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function registerPullCommand(program: Command, context: CliContext): void {
  program
    .command('pull')
    .description('download a model now, in the foreground, with progress (Ctrl-C pauses; run it again to resume)')
    .argument('<repo_id>', 'Hugging Face repo id, e.g. Qwen/Qwen2.5-0.5B (datasets/org/name for a dataset)')
    .addOption(repoTypeOption())
    .option('--revision <revision>', "branch, tag or commit (default: the model's, else main)")
    .option('--include <glob>', 'download only matching files (repeatable), e.g. "*.safetensors"', collect)
    .option('--exclude <glob>', 'skip matching files (repeatable), e.g. "*.bin"', collect)
    .addHelpText(
      'after',
      '\nThe snapshot folder is printed on stdout; progress goes to stderr.' +
        '\nExamples:\n  hfsched pull openai-community/gpt2\n  hfsched pull Qwen/Qwen2.5-7B-Instruct --include "*.safetensors" --include "*.json"',
    )
    .action(async (repoId: string, options: PullOptions) => {
      const stderr = process.stderr;
      const started = performance.now();
      const controller = new AbortController();
      const signals = pauseOnSignals(controller);
      let outcome: DownloadModelOutcome;
      let modelName = repoId;
      try {
        outcome = await context.withStore(async (store) => {
          const settings = context.settings(store);
          const model = modelToPull(store, repoId, options, (message) => context.output.note(message));
          modelName = formatRepoReference(model.repoType, model.name);
          const display = createPullDisplay(stderr, model.name);
          try {
            return await downloadModel(store, model, {
              scheduleId: null,
              settings,
              token: readToken(context.env).token,
              signal: controller.signal,
              env: context.env,
              onProgress: (progress) => display.progress(progress),
              onFileDone: (file) => display.fileDone(file),
              onRetry: (event) => display.retry(event),
              onSpaceWait: (reason) => {
                if (reason !== null) context.output.note(`${model.name} ${reason}`);
              },
              ...(options.revision !== undefined ? { revision: options.revision } : {}),
              ...(options.include !== undefined ? { include: options.include } : {}),
              ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
            });
          } finally {
            display.stop();
          }
        });
      } finally {
        signals.remove();
      }

      if (outcome.status === 'failed') throw outcome.error;
      if (outcome.status === 'paused') {
        stderr.write(
          `Paused ${modelName} (${outcome.reason}): partial files are kept; run the same command to resume.\n`,
        );
        process.exit(signals.exitStatus());
      }
      const { snapshot } = outcome;
      const seconds = (performance.now() - started) / 1000;
      stderr.write(
        `Downloaded ${modelName} at commit ${snapshot.commit.slice(0, 12)}: ${snapshot.fileCount} ${snapshot.fileCount === 1 ? 'file' : 'files'}, ` +
          `${formatBytes(snapshot.totalBytes)} (${formatBytes(snapshot.fetchedBytes)} fetched) in ${formatDuration(seconds)}\n`,
      );
      context.output.text(snapshot.snapshotPath);
    });
}
