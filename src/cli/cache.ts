/**
 * `hfsched cache list|prune`: the space hfsched's repositories take in the
 * Hugging Face cache, and freeing the space of superseded revisions. Only
 * repositories of known models (and datasets) are ever read or changed;
 * anything else in the cache belongs to someone else.
 *
 *   list   per managed repository: size on disk, snapshots, refs; free space
 *   prune  keep cache.keep_revisions snapshots of each completed model (the
 *          current one first), remove older ones, their refs and the blobs
 *          no kept snapshot links to; --dry-run reports without removing
 */
import type { Command } from 'commander';
import { resolveHubLocation } from '../config/hub-location.js';
import {
  collectUnreferencedEntries,
  freeBytes,
  pruneRepo,
  type PruneResult,
  repoUsage,
  type RepoUsage,
  reposBytesOnDisk,
} from '../hub/index.js';
import { commitsFetchedBy } from '../download/fetched-commits.js';
import { formatRepoReference } from '../store/index.js';
import { elsewhereNote, modelCacheFolder } from '../download/model-cache-folder.js';
import type { CliContext } from './context.js';
import { createInterface } from 'node:readline/promises';
import { dirname } from 'node:path';
import { ConstraintError } from '../errors.js';
import { resolveTargets, type ManagedUsage } from './cache-rm.js';
import { compileFilter, compileSort, rowsOf, type CacheRow } from './cache-ls.js';
import { collect } from './option-parsers.js';
import { formatTime, inZone } from './output.js';
import { scheduleTimeZone } from '../config/settings.js';
import { formatBytes } from '../system/human-units.js';

interface ListedRepo {
  model: string;
  status: string;
  /** The cache folder the model's files are in (where it was downloaded). */
  cacheDir: string;
  usage: RepoUsage | null;
}

function refsText(usage: RepoUsage): string {
  const refs = Object.entries(usage.refs).map(([name, commit]) => `${name}=${commit.slice(0, 12)}`);
  return refs.length === 0 ? '-' : refs.join(', ');
}

function registerList(cache: Command, context: CliContext): void {
  cache
    .command('list')
    .alias('ls')
    .description("show the cache space of each model and dataset hfsched manages, and the cache disk's free space")
    .option('--json', 'print {cacheDir, freeBytes, repos} as JSON')
    .option(
      '-f, --filter <expr>',
      "keep rows matching, as hf cache ls: 'size>1GB', 'type=model', 'accessed>7d' (repeatable)",
      collect,
    )
    .option('--sort <key>', 'sort by accessed, modified, size (newest/biggest first) or name; :asc or :desc to choose')
    .option('--revisions', 'one row per revision instead of per repository')
    .action(async (options: ListOptions) => {
      // Read before anything else: a bad expression is bad usage (exit 2), whatever the cache holds.
      const now = new Date();
      const filters = (options.filter ?? []).map((expression) => compileFilter(expression, now));
      const order = options.sort === undefined ? null : compileSort(options.sort);
      const { cacheDir, repos, total, timeZone } = await context.withStore(async (store) => {
        const settings = context.settings(store);
        const timeZone = scheduleTimeZone(store, context.env);
        const { cacheDir } = resolveHubLocation(settings, context.env);
        const repos: ListedRepo[] = [];
        for (const model of store.models.list()) {
          const folder = modelCacheFolder(model, settings, context.env);
          const name = formatRepoReference(model.repoType, model.name);
          if (folder.elsewhere && !options.json) context.output.note(elsewhereNote(name, folder));
          repos.push({
            model: name,
            status: model.status,
            cacheDir: folder.cacheDir,
            usage: await repoUsage(folder.cacheDir, { repoId: model.name, repoType: model.repoType }),
          });
        }
        // A shared store entry several repositories link to counts once in the total (cache-usage.ts).
        const total = await reposBytesOnDisk(repos.flatMap(({ usage }) => (usage === null ? [] : [usage.repoDir])));
        return { cacheDir, repos, total, timeZone };
      });
      const free = await freeBytes(cacheDir).catch(() => null);
      if (options.filter !== undefined || options.sort !== undefined || options.revisions === true) {
        let rows = repos.flatMap(({ usage }) => (usage === null ? [] : rowsOf(usage, options.revisions === true)));
        for (const keep of filters) rows = rows.filter(keep);
        if (order !== null) rows.sort(order);
        return printRows(context, rows, options, timeZone);
      }
      if (options.json) return context.output.json({ cacheDir, freeBytes: free, repos });
      if (repos.length === 0) context.output.text('No models yet; add one with: hfsched model add <repo_id>');
      else
        context.output.table(
          ['MODEL', 'STATUS', 'SIZE ON DISK', 'REVISIONS', 'REFS'],
          repos.map(({ model, status, usage }) => [
            model,
            status,
            usage === null ? 'not in the cache' : formatBytes(usage.sizeOnDisk),
            usage === null ? '0' : String(usage.snapshots.length),
            usage === null ? '-' : refsText(usage),
          ]),
        );
      context.output.text(`\nManaged: ${formatBytes(total)} in ${cacheDir}; free on that disk: ${formatBytes(free)}`);
    });
}

interface ListOptions {
  json?: boolean;
  filter?: string[];
  sort?: string;
  revisions?: boolean;
}

/** The rows of `cache ls` with --filter, --sort or --revisions, in hf cache ls's columns. */
function printRows(context: CliContext, rows: CacheRow[], options: ListOptions, timeZone: string): void {
  if (options.json) return context.output.json(rows);
  const when = (at: Date | null): string => formatTime(at, timeZone, { label: false });
  if (rows.length === 0)
    return context.output.text(options.revisions ? 'No cached revisions found.' : 'No cached repositories found.');
  if (options.revisions)
    context.output.table(
      ['ID', 'REVISION', 'SIZE', inZone('LAST_MODIFIED', timeZone), 'REFS'],
      rows.map((row) => [
        row.id,
        row.revision ?? '-',
        formatBytes(row.sizeOnDisk),
        when(row.lastModifiedAt),
        row.refs.join(' '),
      ]),
    );
  else
    context.output.table(
      ['ID', 'SIZE', inZone('LAST_ACCESSED', timeZone), inZone('LAST_MODIFIED', timeZone), 'REFS'],
      rows.map((row) => [
        row.id,
        formatBytes(row.sizeOnDisk),
        when(row.lastAccessedAt),
        when(row.lastModifiedAt),
        row.refs.join(' '),
      ]),
    );
}

function registerPrune(cache: Command, context: CliContext): void {
  cache
    .command('prune')
    .description('remove snapshots beyond cache.keep_revisions of each completed model, their refs and unshared blobs')
    .option('--dry-run', 'report what would be removed; remove nothing')
    .option('--json', 'print one result per repository as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const dryRun = options.dryRun === true;
      const { results, skipped, sharedStore } = await context.withStore(async (store) => {
        const settings = context.settings(store);
        const results: PruneResult[] = [];
        const skipped: { model: string; reason: string }[] = [];
        // Each cache folder in use holds its own shared store.
        const cacheDirs = new Set([resolveHubLocation(settings, context.env).cacheDir]);
        for (const model of store.models.list()) {
          const name = formatRepoReference(model.repoType, model.name);
          // An unfinished download may have a newer, partial snapshot: only settled models are pruned.
          if (model.status !== 'completed') {
            skipped.push({ model: name, reason: `${model.status}: pruned once completed` });
            continue;
          }
          // In the model's own folder (where it was downloaded), not necessarily this shell's cache.
          const folder = modelCacheFolder(model, settings, context.env);
          if (folder.elsewhere && !options.json) context.output.note(elsewhereNote(name, folder));
          cacheDirs.add(folder.cacheDir);
          results.push(
            await pruneRepo({
              cacheDir: folder.cacheDir,
              repoId: model.name,
              repoType: model.repoType,
              keepRevisions: settings.cacheKeepRevisions,
              currentCommit: model.currentCommit,
              fetchedCommits: commitsFetchedBy(store, model),
              dryRun,
            }),
          );
        }
        // Store entries no repository links to any more (a repo folder deleted by hand, another client's leak).
        const sharedStore = { entries: 0, freedBytes: 0 };
        for (const cacheDir of cacheDirs) {
          const collected = await collectUnreferencedEntries(cacheDir, dryRun);
          sharedStore.entries += collected.entries;
          sharedStore.freedBytes += collected.freedBytes;
        }
        return { results, skipped, sharedStore };
      });
      if (options.json) return context.output.json({ dryRun, results, skipped, sharedStore });
      const freed = results.reduce((sum, result) => sum + result.freedBytes, 0) + sharedStore.freedBytes;
      const rows = results
        .filter((result) => result.removedSnapshots.length > 0 || result.removedBlobs > 0 || result.busyBlobs > 0)
        .map((result) => [
          formatRepoReference(result.repoType, result.repoId),
          result.removedSnapshots.map((commit) => commit.slice(0, 12)).join(', ') || '-',
          result.removedRefs.join(', ') || '-',
          String(result.removedBlobs) + (result.busyBlobs > 0 ? ` (${result.busyBlobs} busy, kept)` : ''),
          formatBytes(result.freedBytes),
        ]);
      if (rows.length > 0) context.output.table(['MODEL', 'SNAPSHOTS', 'REFS', 'BLOBS', 'FREED'], rows);
      for (const skip of skipped) context.output.note(`${skip.model} skipped (${skip.reason})`);
      if (sharedStore.entries > 0)
        context.output.text(
          `Shared blob store: ${sharedStore.entries} unreferenced ${sharedStore.entries === 1 ? 'entry' : 'entries'} (${formatBytes(sharedStore.freedBytes)})${dryRun ? ' would go' : ' removed'}.`,
        );
      context.output.text(
        dryRun
          ? `Would free ${formatBytes(freed)} (dry run: nothing removed).`
          : rows.length === 0 && sharedStore.entries === 0
            ? 'Nothing to prune: every completed model has at most cache.keep_revisions snapshots.'
            : `Freed ${formatBytes(freed)}.`,
      );
    });
}

/** Asks on the terminal; refuses (exit 1) when there is none to ask on. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new ConstraintError('cache rm asks before deleting, and there is no terminal to ask on: add -y');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await prompt.question(`${question} (y/N) `)).trim());
  } finally {
    prompt.close();
  }
}

function registerRemove(cache: Command, context: CliContext): void {
  cache
    .command('rm')
    .description(
      'remove revisions of managed models from the cache, as hf cache rm: repo ids, datasets/org/name or commits',
    )
    .argument('<target...>', 'a repo id, datasets/org/name, or a 40-hex commit')
    .option('--dry-run', 'say what would be deleted; delete nothing')
    .option('-y, --yes', 'do not ask before deleting')
    .action(async (targets: string[], options: { dryRun?: boolean; yes?: boolean }) => {
      await context.withStore(async (store) => {
        const settings = context.settings(store);
        const repos: ManagedUsage[] = [];
        for (const model of store.models.list()) {
          const folder = modelCacheFolder(model, settings, context.env);
          const usage = await repoUsage(folder.cacheDir, { repoId: model.name, repoType: model.repoType });
          if (usage === null) continue;
          const reference = formatRepoReference(model.repoType, model.name);
          repos.push({ id: `${model.repoType}/${model.name}`, usage, currentCommit: model.currentCommit, reference });
        }
        const { selected, missing } = resolveTargets(targets, repos);
        if (missing.length > 0)
          context.output.text(
            ['Could not find the following targets in the cache:', ...missing.map((t) => `  - ${t}`)].join('\n'),
          );
        if (selected.size === 0) return context.output.text('Nothing to delete.');
        const request = (repo: ManagedUsage, commits: Set<string>, dryRun: boolean) => ({
          cacheDir: dirname(repo.usage.repoDir),
          repoId: repo.usage.repoId,
          repoType: repo.usage.repoType,
          keepRevisions: 1,
          currentCommit: repo.currentCommit,
          fetchedCommits: new Set<string>(),
          onlyCommits: commits,
          dryRun,
        });
        let planned = 0;
        let count = 0;
        for (const [repo, commits] of selected) {
          planned += (await pruneRepo(request(repo, commits, true))).freedBytes;
          count += commits.size;
        }
        context.output.text(`About to delete ${count} revision(s) totalling ${formatBytes(planned)}.`);
        for (const [repo, commits] of selected)
          for (const commit of [...commits].sort()) context.output.text(`  - ${repo.id}: ${commit}`);
        if (options.dryRun) return context.output.text('Dry run: no files were deleted.');
        if (options.yes !== true && !(await confirmed('Proceed with deletion?')))
          return context.output.text('Deletion cancelled.');
        let freed = 0;
        let busy = 0;
        for (const [repo, commits] of selected) {
          const result = await pruneRepo(request(repo, commits, false));
          freed += result.freedBytes;
          busy += result.busyBlobs;
        }
        context.output.text(`Deleted ${count} revision(s); freed ${formatBytes(freed)}.`);
        if (busy > 0) context.output.note(`${busy} blob(s) were being written by another process and stay for now`);
      });
    });
}

export function registerCacheCommands(program: Command, context: CliContext): void {
  const cache = program.command('cache').description("see and prune the cache space of hfsched's models");
  registerList(cache, context);
  registerPrune(cache, context);
  registerRemove(cache, context);
}
