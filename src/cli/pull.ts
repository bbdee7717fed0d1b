/**
 * `hfsched pull <repo_id>`: downloads a model now, in the foreground, and
 * records it as the daemon would: the model is added if it is unknown, and
 * the attempt is a download session in `hfsched history`. The model's stored
 * revision and include/exclude patterns apply unless the command line gives
 * its own: then the pull is a one-off (download-one-off.ts) that changes
 * nothing of the model and records nothing. Ctrl-C pauses: partial files
 * stay, the session is cancelled, the model paused, and the exit status is
 * 130 (143 for SIGTERM); running the same command again resumes.
 */
import type { Command } from 'commander';
import { readToken } from '../config/hub-location.js';
import { formatBytes, formatDuration } from '../system/human-units.js';
import type { Model } from '../store/types.js';
import type { Store } from '../store/index.js';
import { takeOverOrphanedDownload } from '../download/download-owner.js';
import { downloadModel, type DownloadModelOutcome } from '../download/download-model.js';
import { downloadOneOff, isOneOff, type OneOffOutcome } from '../download/download-one-off.js';
import { HubRuntime, type FileDoneEvent, type RetryEvent, type SnapshotProgress } from '../hub/index.js';
import type { CliContext } from './context.js';
import { checkNewRepo } from './new-repo-check.js';
import { collect } from './option-parsers.js';
import { createPullDisplay } from './pull-progress.js';
import { formatRepoReference, validateRevision } from '../store/index.js';
import { repoTarget, repoTypeOption, type RepoTypeOption } from './repo-type-option.js';

/** What shells report for a command stopped by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM). */
const EXIT_STATUS_OF: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

interface PullOptions extends RepoTypeOption {
  revision?: string;
  include?: string[];
  exclude?: string[];
}

/** The known model (with `oneOff` when the options select something else), or a new one created with them. */
function modelToPull(
  store: Store,
  reference: string,
  options: PullOptions,
  note: (message: string) => void,
): { model: Model; oneOff: boolean } {
  const { repoType, name: repoId } = repoTarget(reference, options.repoType);
  const known = store.models.byName(repoId, repoType);
  if (known !== null && isOneOff(known, options)) return { model: known, oneOff: true };
  if (known !== null) {
    const { model, recovered } = takeOverOrphanedDownload(store, known);
    if (recovered !== null) {
      note(
        `the previous download of ${repoId} (pid ${String(recovered.metadata?.ownerPid)}) was interrupted; resuming it`,
      );
    }
    return { model, oneOff: false };
  }
  const created = store.models.create({
    name: repoId,
    repoType,
    revision: options.revision ?? null,
    includePatterns: options.include ?? [],
    excludePatterns: options.exclude ?? [],
  });
  note(`added ${repoType} ${formatRepoReference(repoType, created.name)} (id ${created.id})`);
  return { model: created, oneOff: false };
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
      // A known model's stored revision was checked when it was added; this one is for this pull only.
      if (options.revision !== undefined) validateRevision(options.revision);
      const stderr = process.stderr;
      const started = performance.now();
      const controller = new AbortController();
      const signals = pauseOnSignals(controller);
      let outcome: DownloadModelOutcome | OneOffOutcome;
      let modelName = repoId;
      let oneOffOf: Model | null = null;
      try {
        outcome = await context.withStore(async (store) => {
          const settings = context.settings(store);
          // The check and the download share its connections (the check's is reused) and rate limits.
          const runtime = new HubRuntime();
          // A repository the Hub does not have is refused before it is recorded: no model is left behind.
          await checkNewRepo(store, context, repoTarget(repoId, options.repoType), options.revision ?? null, runtime);
          const { model, oneOff } = modelToPull(store, repoId, options, (message) => context.output.note(message));
          modelName = formatRepoReference(model.repoType, model.name);
          if (oneOff) oneOffOf = model;
          const display = createPullDisplay(stderr, model.name, context.output.quiet);
          const downloadOptions = {
            runtime,
            settings,
            token: readToken(context.env).token,
            signal: controller.signal,
            env: context.env,
            onProgress: (progress: SnapshotProgress) => display.progress(progress),
            onFileDone: (file: FileDoneEvent) => display.fileDone(file),
            onRetry: (event: RetryEvent) => display.retry(event),
            onSpaceWait: (reason: string | null) => {
              if (reason !== null) context.output.note(`${model.name} ${reason}`);
            },
          };
          try {
            if (oneOff) return await downloadOneOff(store, model, options, downloadOptions);
            // Pulling a model held by Ctrl-C (or model pause) is asking for it now: the hold goes.
            if (model.status === 'paused' && store.models.heldIds().has(model.id)) store.models.resume(model.id);
            const current = store.models.get(model.id) ?? model;
            return await downloadModel(store, current, { scheduleId: null, holdWhenPaused: true, ...downloadOptions });
          } finally {
            display.stop();
          }
        });
      } finally {
        signals.remove();
      }

      const oneOffNote =
        oneOffOf === null
          ? ''
          : ` (a one-off with the command line's options: ${modelName} itself is unchanged, ${(oneOffOf as Model).status})`;
      if (outcome.status === 'failed') {
        if (oneOffOf !== null)
          context.output.note(`the one-off pull failed; ${modelName} is unchanged and nothing is recorded`);
        throw outcome.error;
      }
      if (outcome.status === 'paused') {
        const hold =
          oneOffOf === null
            ? ` It is on hold, as with hfsched model pause: a running daemon leaves it alone until hfsched model resume ${modelName}.`
            : '';
        stderr.write(
          `Paused ${modelName} (${outcome.reason}): partial files are kept; run the same command to resume.${hold}${oneOffNote}\n`,
        );
        process.exit(signals.exitStatus());
      }
      const { snapshot } = outcome;
      const seconds = (performance.now() - started) / 1000;
      // With --quiet, only the snapshot folder is printed, as `hf download --quiet` does.
      if (!context.output.quiet)
        stderr.write(
          `Downloaded ${modelName} at commit ${snapshot.commit.slice(0, 12)}: ${snapshot.fileCount} ${snapshot.fileCount === 1 ? 'file' : 'files'}, ` +
            `${formatBytes(snapshot.totalBytes)} (${formatBytes(snapshot.fetchedBytes)} fetched) in ${formatDuration(seconds)}${oneOffNote}\n`,
        );
      context.output.text(snapshot.snapshotPath);
    });
}
