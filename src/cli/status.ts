/**
 * `hfsched status`: the daemon (alive, pid, uptime), the enabled schedule and
 * its next run, the open window, running downloads with bytes, speed and ETA,
 * and the queue. `--json` for scripts; `--health` prints one line and exits
 * 0 (daemon alive, line on stdout) or 1 (not, line on stderr), for scripts
 * and container health checks.
 * Everything comes from the database, so it works wherever the database is
 * visible, with or without the HTTP listener.
 */
import type { Command } from 'commander';
import { buildStatusReport, type RunningDownloadView, type StatusReport } from '../control/status-report.js';
import type { CliContext } from './context.js';
import { ConstraintError } from '../errors.js';
import { formatBytes, formatDuration } from '../system/human-units.js';
import { formatTime, inZone } from './output.js';
import { isLoopbackHost } from '../system/loopback-host.js';
import { formatClockSeconds } from '../schedule/clock-format.js';

function progressText(download: RunningDownloadView): string {
  if (download.waitingFor !== null) return download.waitingFor;
  const total = download.totalBytes;
  const percent = total !== null && total > 0 ? ` (${Math.floor((download.bytesDownloaded * 100) / total)}%)` : '';
  return `${formatBytes(download.bytesDownloaded)} / ${formatBytes(total)}${percent}`;
}

function daemonLine(report: StatusReport): string {
  const daemon = report.daemon;
  if (daemon.alive) {
    return `running (pid ${daemon.pid ?? '?'} on ${daemon.hostname ?? '?'}, up ${formatDuration(daemon.uptimeSeconds ?? 0)})`;
  }
  return `not running (${daemon.reason ?? 'unknown'}); start it with: hfsched daemon`;
}

function printReport(context: CliContext, report: StatusReport): void {
  const schedule = report.schedule;
  const zone = report.timezone;
  const pairs: [string, string][] = [
    ['Daemon', daemonLine(report)],
    [
      'Schedule',
      schedule === null
        ? 'none enabled (hfsched schedule enable <id>)'
        : `${schedule.name} (id ${schedule.id}): ${schedule.when}${schedule.window === '' ? '' : `, ${schedule.window}`}, ` +
          `${schedule.maxConcurrentDownloads} at a time, time zone ${schedule.timezone}`,
    ],
    ['Next run', formatTime(report.nextRunAt, zone)],
    [
      'Window',
      report.windowEndsAt === null
        ? report.daemon.alive
          ? 'closed or no end'
          : '-'
        : `open until ${formatTime(report.windowEndsAt, zone)}`,
    ],
  ];
  if (report.rateLimitedUntil !== null) {
    pairs.push([
      'Hub',
      `rate limited until ${formatClockSeconds(new Date(report.rateLimitedUntil), zone)} ${zone} (requests wait for the reset)`,
    ]);
  }
  for (const mirror of report.mirrors) {
    pairs.push([
      'Mirror',
      `serving at ${mirror.url} (pid ${mirror.pid} on ${mirror.hostname}): ${mirror.requests} requests, ${formatBytes(mirror.bytesSent)} sent`,
    ]);
  }
  if (report.daemon.httpUrl !== null)
    pairs.push([
      'Health',
      `${report.daemon.httpUrl}/healthz, metrics at ${report.daemon.httpUrl}/metrics${beyondLoopback(report.daemon.httpUrl)}`,
    ]);
  context.output.keyValues(pairs);
  context.output.text('');
  if (report.running.length === 0) {
    context.output.text('Running: none');
  } else {
    context.output.text(
      report.daemon.alive
        ? 'Running:'
        : 'Open sessions (no daemon runs: an hfsched pull, or what a crash left, repaired at the next daemon start):',
    );
    context.output.table(
      ['MODEL', 'SESSION', 'PROGRESS', 'SPEED', 'ETA', inZone('STARTED', zone)],
      report.running.map((download) => [
        download.model,
        String(download.sessionId),
        progressText(download),
        download.bytesPerSecond === null ? '-' : `${formatBytes(download.bytesPerSecond)}/s`,
        download.etaSeconds === null ? '-' : formatDuration(download.etaSeconds),
        formatTime(download.startedAt, zone, { label: false }),
      ]),
    );
  }
  if (report.queue.length === 0) {
    context.output.text('Queue: empty');
  } else {
    context.output.text(
      `Queue (${report.queue.length}, in order): ${report.queue.map((entry) => entry.model).join(', ')}`,
    );
  }
  if (report.heldUntilRetry.length > 0) {
    context.output.text('Held until hfsched model retry (failed; the scheduler leaves them alone):');
    for (const held of report.heldUntilRetry) context.output.text(`  ${held.model}: ${held.error}`);
  }
  if (report.failedChecks.length > 0) {
    context.output.text('Failed checks (files kept, models not failed; checked again at the next run):');
    for (const check of report.failedChecks)
      context.output.text(`  ${check.model} (${check.status}) at ${formatTime(check.checkedAt, zone)}: ${check.error}`);
  }
}

function healthLine(report: StatusReport): string {
  const daemon = report.daemon;
  if (!daemon.alive) return `unhealthy: daemon not running (${daemon.reason ?? 'unknown'})`;
  const age = daemon.heartbeatAt === null ? 0 : (Date.now() - Date.parse(daemon.heartbeatAt)) / 1000;
  return `ok: daemon running (pid ${daemon.pid ?? '?'}, heartbeat ${age.toFixed(1)} s ago)`;
}

export function registerStatusCommand(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('show the daemon, the next run, running downloads (bytes, speed, ETA) and the queue')
    .option('--json', 'print the status as JSON')
    .option('--health', 'print one line and exit 0 if the daemon is alive, 1 if not (for health checks)')
    .action(async (options: { json?: boolean; health?: boolean }) => {
      const report = await context.withStore((store) => buildStatusReport(store, context.env));
      if (options.health) {
        if (options.json) context.output.json({ healthy: report.daemon.alive, daemon: report.daemon });
        // Unhealthy is an error (exit 1, the line on stderr), so `&&` and HEALTHCHECK see it.
        if (!report.daemon.alive) throw new ConstraintError(healthLine(report));
        if (!options.json) context.output.text(healthLine(report));
        return;
      }
      if (options.json) return context.output.json(report);
      printReport(context, report);
    });
}

/** A warning when the health listener is reachable from other machines. */
function beyondLoopback(url: string): string {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isLoopbackHost(host) ? '' : ' (reachable beyond this machine: firewall it, or set http.host 127.0.0.1)';
}
