/**
 * What happens in the daemon, as typed events (the idea of graphile-worker's
 * WorkerEventMap): the daemon and its batch emit them; the log
 * (event-log.ts) and the metrics (metrics.ts) listen. A new listener (a
 * test, an embedder) sees the same facts without parsing log lines.
 */
import { EventEmitter } from 'node:events';
import type { DownloadModelOutcome } from '../download/download-model.js';
import type { CommandAnswer, DaemonCommandName } from '../store/index.js';

export interface DaemonEventMap {
  /** The daemon is registered, armed and ticking. */
  'daemon:started': [
    { pid: number; database: string; scheduleId: number | null; timezone: string; httpUrl: string | null },
  ];
  'daemon:stopping': [{ reason: string; running: number }];
  'daemon:stopped': [{ reason: string }];
  /** Commands sent while no daemon ran, answered with an error at start. */
  'commands:expired': [{ count: number }];
  /** The trigger was (re-)armed; `schedule` is null when none is enabled. */
  'schedule:armed': [{ schedule: { id: number; name: string } | null; timezone: string; nextRunAt: Date | null }];
  'batch:started': [
    { scheduleId: number | null; cause: 'schedule' | 'run-now'; queued: number; windowEndsAt: Date | null },
  ];
  /** A window without an end closed because its batch was done. */
  'batch:finished': [{ scheduleId: number | null }];
  /** `branchCheck`: a completed tracked model, queued to check its branch (it downloads only if the branch moved). */
  'model:queued': [{ modelId: number; model: string; scheduleId: number | null; branchCheck: boolean }];
  /** A window reached its end: running downloads were stopped, waiting ones dropped. */
  'window:closed': [{ scheduleId: number | null; reason: string; stopped: number; dropped: string[] }];
  /** Bytes received from the Hub since the previous report of that download. */
  'download:bytes': [{ modelId: number; bytes: number }];
  /** A download that started has ended (completed, paused or failed). */
  'download:ended': [{ modelId: number; outcome: DownloadModelOutcome }];
  'command:handled': [{ command: DaemonCommandName; modelId: number | null; answer: CommandAnswer }];
  'settings:changed': [{ keys: string[] }];
  'concurrency:changed': [{ scheduleId: number | null; maxConcurrentDownloads: number }];
}

export type DaemonEvents = EventEmitter<DaemonEventMap>;

export function createDaemonEvents(): DaemonEvents {
  return new EventEmitter<DaemonEventMap>();
}
