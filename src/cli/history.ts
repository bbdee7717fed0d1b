/**
 * `hfsched history <model> [--limit N]`: the download sessions of a model,
 * newest first.
 */
import type { Command } from 'commander';
import { sessionNote } from '../download/space-wait.js';
import type { DownloadSession } from '../store/types.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';
import { wholeNumber } from './option-parsers.js';
import { formatBytes } from '../system/human-units.js';
import { formatTime, inZone } from './output.js';
import { scheduleTimeZone } from '../config/settings.js';

/** The session table's columns; its times are in `timeZone`, named in their headers. */
export const sessionHeaders = (timeZone: string): string[] => [
  'SESSION',
  'STATUS',
  inZone('STARTED', timeZone),
  inZone('ENDED', timeZone),
  'DOWNLOADED',
  'TOTAL',
  'RETRY',
  'SCHEDULE',
  'NOTE',
];

export function sessionRows(sessions: readonly DownloadSession[], timeZone: string): string[][] {
  return sessions.map((session) => [
    String(session.id),
    session.status,
    formatTime(session.startedAt, timeZone, { label: false }),
    formatTime(session.completedAt, timeZone, { label: false }),
    formatBytes(session.bytesDownloaded),
    formatBytes(session.totalBytes),
    String(session.retryCount),
    session.scheduleId === null ? 'manual' : String(session.scheduleId),
    sessionNote(session),
  ]);
}

export function registerHistoryCommand(program: Command, context: CliContext): void {
  program
    .command('history')
    .description('show the download sessions of a model, newest first')
    .argument('<model>', 'repo id or numeric id')
    .option('--limit <n>', 'how many sessions (1..1000)', wholeNumber(1, 1000), 10)
    .option('--json', 'print the sessions as JSON')
    .action(async (reference: string, options: { limit: number; json?: boolean }) => {
      const { model, sessions, timeZone } = await context.withStore((store) => {
        const model = findModel(store, reference);
        return {
          model,
          sessions: store.downloads.history(model.id, { limit: options.limit }),
          timeZone: scheduleTimeZone(store, context.env),
        };
      });
      if (options.json) return context.output.json(sessions);
      if (sessions.length === 0) context.output.text(`No download sessions for ${model.name} yet.`);
      else context.output.table(sessionHeaders(timeZone), sessionRows(sessions, timeZone));
      // A failed check of the branch is no download session, but it is part of the model's story.
      if (model.lastCheckError !== null) {
        context.output.text(
          `Last check of ${model.revision ?? 'main'} at ${formatTime(model.lastCheckedAt, timeZone)} failed: ${model.lastCheckError}` +
            (model.status === 'completed'
              ? ' (the files are kept; the model stays completed)'
              : model.status === 'pending' && model.currentCommit !== null
                ? ' (the files are kept; the download waits for the next run)'
                : ''),
        );
      }
    });
}
