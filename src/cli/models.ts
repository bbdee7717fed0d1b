/**
 * `hfsched model add|list|show|remove`: the models to download. The daemon
 * engineer's `model pause|resume|retry` attach to the `model` command this
 * registration returns.
 */
import { Option, type Command } from 'commander';
import { MODEL_STATUSES, type DownloadSession, type Model, type ModelStatus } from '../store/types.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';
import { collect } from './option-parsers.js';
import { formatBytes } from '../system/human-units.js';
import { formatTime, inZone } from './output.js';
import { scheduleTimeZone } from '../config/settings.js';
import { HubRuntime, isCommitHash, purgeRepo } from '../hub/index.js';
import { elsewhereNote, modelCacheFolder } from '../download/model-cache-folder.js';
import { formatRepoReference, validatePatterns, validateRevision } from '../store/index.js';
import { validateRepoId } from '../repo-id.js';
import { pendingStart, type PendingStart } from '../control/pending-start.js';
import { checkNewRepo } from './new-repo-check.js';
import { formatTimeInZone } from './output.js';
import { repoTarget, repoTypeOption, type RepoTypeOption } from './repo-type-option.js';

interface AddOptions extends RepoTypeOption {
  revision?: string;
  include?: string[];
  exclude?: string[];
  track: boolean;
  check: boolean;
  json?: boolean;
}
import { waitingFor } from '../download/space-wait.js';
import { sessionHeaders, sessionRows } from './history.js';

/** Sessions shown by `model show`. */
const SHOWN_SESSIONS = 5;

function patternsText(patterns: string[]): string {
  return patterns.length === 0 ? '-' : patterns.join(', ');
}

/** `abc123def456 (2024-05-01 02:00:00)`: the current commit, short. */
function commitText(model: Model): string {
  return model.currentCommit === null ? '-' : model.currentCommit.slice(0, 12);
}

/** When the branch was last checked, and why it failed if it did. */
function lastCheckedText(model: Model, timeZone: string): string {
  if (!model.tracking) return 'never (pinned)';
  const when = formatTime(model.lastCheckedAt, timeZone);
  return model.lastCheckError === null ? when : `${when} (failed: ${model.lastCheckError})`;
}

/** A tag is pinned at the first download (until then the revision's kind is unknown: no call at `add`). */
function trackingText(model: Model): string {
  if (!model.tracking) return 'no: pinned at its commit';
  const revision = model.revision ?? 'main';
  if (model.currentCommit === null && revision !== 'main' && !isCommitHash(revision))
    return `if ${revision} is a branch (each run checks it); a tag is pinned at its first download`;
  return 'yes: each run checks the branch';
}

/** The key/value view of one model, its times in `timeZone`. */
export function modelDetails(model: Model, timeZone: string): [string, string][] {
  return [
    ['ID', String(model.id)],
    ['Name', formatRepoReference(model.repoType, model.name)],
    ['Status', model.status + (model.statusReason === null ? '' : ` (${model.statusReason})`)],
    ['Type', model.repoType],
    ['Revision', model.revision ?? 'main'],
    ['Tracking', trackingText(model)],
    ['Commit', commitText(model)],
    ['Last checked', lastCheckedText(model, timeZone)],
    ['Include', model.includePatterns.length === 0 ? 'all files' : patternsText(model.includePatterns)],
    ['Exclude', patternsText(model.excludePatterns)],
    ['Size', formatBytes(model.sizeBytes)],
    ['Path', model.downloadPath ?? '-'],
    ['Created', formatTime(model.createdAt, timeZone)],
    ['Updated', formatTime(model.updatedAt, timeZone)],
  ];
}

/** When the new model starts downloading, as it truly is now. */
function pendingText(start: PendingStart, name: string): string {
  switch (start.kind) {
    case 'window-open':
      return 'a window is open: the running daemon queues it within seconds';
    case 'no-schedule':
      return `no schedule is enabled, so nothing downloads it yet: add one with hfsched schedule add, or download it now with hfsched pull ${name}`;
    case 'next-run': {
      const when = formatTimeInZone(new Date(start.at), start.timezone);
      return start.daemonRunning
        ? `it is pending until the next scheduled run, ${when}`
        : `it is pending until the next scheduled run, ${when}, if the daemon runs then (it is not running now: hfsched daemon)`;
    }
  }
}

function registerAdd(model: Command, context: CliContext): void {
  model
    .command('add')
    .description('add a model to download (it starts as pending)')
    .argument('<repo_id>', 'Hugging Face repo id, e.g. meta-llama/Llama-3.1-8B (datasets/org/name for a dataset)')
    .addOption(repoTypeOption())
    .option('--revision <revision>', 'branch, tag or commit to download (default: main)')
    .option('--include <glob>', 'download only matching files (repeatable), e.g. "*.safetensors"', collect)
    .option('--exclude <glob>', 'skip matching files (repeatable), e.g. "*.bin"', collect)
    .option('--no-track', 'pin the branch at the commit of the first download (default: follow it)')
    .option(
      '--no-check',
      'do not ask the Hub whether it has the repository and revision (HF_HUB_OFFLINE=1 skips it too)',
    )
    .option('--json', 'print the model as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  hfsched model add Qwen/Qwen2.5-7B-Instruct --include "*.safetensors" --include "*.json"' +
        '\n  hfsched model add --repo-type dataset HuggingFaceFW/fineweb-edu --include "sample/10BT/*"',
    )
    .action(async (repoId: string, options: AddOptions) => {
      const target = repoTarget(repoId, options.repoType);
      const { created, start, timeZone } = await context.withStore(async (store) => {
        // Bad input is refused before the Hub is asked; a repository already listed is refused without asking.
        validateRepoId(target.name);
        if (options.revision !== undefined) validateRevision(options.revision);
        validatePatterns(options.include ?? [], 'include patterns');
        validatePatterns(options.exclude ?? [], 'exclude patterns');
        if (options.check) await checkNewRepo(store, context, target, options.revision ?? null, new HubRuntime());
        const created = store.models.create({
          name: target.name,
          repoType: target.repoType,
          revision: options.revision ?? null,
          includePatterns: options.include ?? [],
          excludePatterns: options.exclude ?? [],
          ...(options.track ? {} : { tracking: false }),
        });
        return { created, start: pendingStart(store, context.env), timeZone: scheduleTimeZone(store, context.env) };
      });
      if (options.json) return context.output.json(created);
      if (context.output.quiet) return;
      const name = formatRepoReference(created.repoType, created.name);
      context.output.text(`Added ${created.repoType} ${name} (id ${created.id}); ${pendingText(start, name)}.`);
      context.output.keyValues(
        modelDetails(created, timeZone).filter(([label]) =>
          ['Revision', 'Tracking', 'Include', 'Exclude'].includes(label),
        ),
      );
    });
}

function registerList(model: Command, context: CliContext): void {
  model
    .command('list')
    .alias('ls')
    .description('list the models')
    .addOption(new Option('--status <status>', 'only models with this status').choices(MODEL_STATUSES))
    .option('--json', 'print the models as JSON')
    .action(async (options: { status?: ModelStatus; json?: boolean }) => {
      const { models, timeZone } = await context.withStore((store) => ({
        models: options.status === undefined ? store.models.list() : store.models.byStatus(options.status),
        timeZone: scheduleTimeZone(store, context.env),
      }));
      if (options.json) return context.output.json(models);
      if (models.length === 0) {
        context.output.text(
          options.status === undefined
            ? 'No models yet; add one with: hfsched model add <repo_id>'
            : `No ${options.status} models.`,
        );
        return;
      }
      context.output.table(
        [
          'ID',
          'NAME',
          'STATUS',
          'SIZE',
          'REVISION',
          'COMMIT',
          inZone('CHECKED', timeZone),
          'FILES',
          inZone('UPDATED', timeZone),
        ],
        models.map((entry) => [
          String(entry.id),
          formatRepoReference(entry.repoType, entry.name),
          entry.status,
          formatBytes(entry.sizeBytes),
          entry.revision ?? 'main',
          commitText(entry),
          entry.tracking
            ? formatTime(entry.lastCheckedAt, timeZone, { label: false }) +
              (entry.lastCheckError === null ? '' : ' (failed)')
            : 'pinned',
          entry.includePatterns.length === 0 && entry.excludePatterns.length === 0 ? 'all' : 'filtered',
          formatTime(entry.updatedAt, timeZone, { label: false }),
        ]),
      );
    });
}

function registerShow(model: Command, context: CliContext): void {
  model
    .command('show')
    .description(`show one model and its last ${SHOWN_SESSIONS} download sessions`)
    .argument('<model>', 'repo id or numeric id')
    .option('--json', 'print {model, sessions} as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      const { found, sessions, timeZone } = await context.withStore((store) => {
        const found = findModel(store, reference);
        return {
          found,
          sessions: store.downloads.history(found.id, { limit: SHOWN_SESSIONS }) as DownloadSession[],
          timeZone: scheduleTimeZone(store, context.env),
        };
      });
      if (options.json) return context.output.json({ model: found, sessions });
      const waiting = sessions[0] === undefined ? null : waitingFor(sessions[0]);
      context.output.keyValues([
        ...modelDetails(found, timeZone),
        ...(waiting === null ? [] : [['Waiting', waiting] as [string, string]]),
      ]);
      context.output.text('');
      if (sessions.length === 0) return context.output.text('No download sessions yet.');
      context.output.text('Last download sessions:');
      context.output.table(sessionHeaders(timeZone), sessionRows(sessions, timeZone));
    });
}

function registerRemove(model: Command, context: CliContext): void {
  model
    .command('remove')
    .alias('rm')
    .description('remove a model and its download history (refused while it downloads)')
    .argument('<model>', 'repo id or numeric id')
    .option('--purge', "also delete the model's folder from the cache (its blobs, snapshots and refs)")
    .option('--json', 'print the removed model as JSON')
    .action(async (reference: string, options: { purge?: boolean; json?: boolean }) => {
      const { removed, purged, folder } = await context.withStore(async (store) => {
        const found = findModel(store, reference);
        // The model's own folder (where it was downloaded), not necessarily this shell's cache.
        const folder = options.purge ? modelCacheFolder(found, context.settings(store), context.env) : null;
        store.models.delete(found.id);
        // The record goes first: a model still listed never points at a folder that is gone.
        const purged =
          folder === null ? null : await purgeRepo(folder.cacheDir, { repoId: found.name, repoType: found.repoType });
        return { removed: found, purged, folder };
      });
      const name = formatRepoReference(removed.repoType, removed.name);
      if (folder?.elsewhere === true) context.output.note(elsewhereNote(name, folder));
      if (options.json) return context.output.json(removed);
      context.output.done(
        purged === null
          ? `Removed ${removed.repoType} ${name} (id ${removed.id}) and its download history; files already in the cache are kept (--purge deletes them).`
          : `Removed ${removed.repoType} ${name} (id ${removed.id}), its download history and its files (${purged.repoDir}, ${formatBytes(purged.freedBytes)} freed).`,
      );
      if (purged !== null && purged.busyBlobs > 0)
        context.output.note(
          `${purged.busyBlobs} file(s) being downloaded by another process were left in ${purged.repoDir}; run the purge again later`,
        );
    });
}

/** Registers `model add|list|show|remove` and returns the `model` command for other groups to extend. */
export function registerModelCommands(program: Command, context: CliContext): Command {
  const model = program.command('model').description('add, list, show and remove models');
  registerAdd(model, context);
  registerList(model, context);
  registerShow(model, context);
  registerRemove(model, context);
  return model;
}
