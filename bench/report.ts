/**
 * Turns the measurements into bench/results.md: one table (MB/s, CPU
 * seconds per GiB, peak memory, ratio to the reference tool), the targets
 * and whether they were met, and the machine it ran on.
 */
import type { Measurement } from './measure.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export interface ToolResult {
  tool: string;
  /** Bytes one run downloads. */
  bytes: number;
  runs: Measurement[];
  /** What the server saw, e.g. "8 ranged requests". */
  note: string;
  /** Why the tool did not run (missing), or null. */
  skipped: string | null;
}

export interface ScenarioResult {
  title: string;
  /** The tool the others are compared to. */
  reference: string;
  tools: ToolResult[];
}

export interface Summary {
  mbPerSecond: number;
  cpuSecondsPerGib: number;
  peakRssMib: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median rate and CPU over the runs; memory is the highest peak of any run. */
export function summarize(result: ToolResult): Summary | null {
  if (result.skipped !== null || result.runs.length === 0) return null;
  return {
    mbPerSecond: result.bytes / 1e6 / median(result.runs.map((r) => r.wallSeconds)),
    cpuSecondsPerGib: median(result.runs.map((r) => r.cpuSeconds)) / (result.bytes / GIB),
    peakRssMib: Math.max(...result.runs.map((r) => r.peakRssBytes)) / MIB,
  };
}

/** A case that threw: its figures are missing, the others' kept. */
export interface FailedCase {
  /** As HFSCHED_BENCH_CASES names it: a, b, c, e, f, serve, start, fsync, idle. */
  name: string;
  reason: string;
}

/** The case a target's line judges, by how targets.ts begins it. */
function caseOfTarget(text: string): string | null {
  if (text.startsWith('(d) idle')) return 'idle';
  if (text.startsWith('start-up')) return 'start';
  return /^\(([abcef])\)/.exec(text)?.[1] ?? null;
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: string; tools: string[] };
  runsPerTool: number;
  sha256MbPerSecond: number;
  scenarios: ScenarioResult[];
  targets: { text: string; met: boolean | null }[];
  /** bench/profile-summary.md, written by hand from `node --cpu-prof` runs, or null. */
  profileSummary: string | null;
  /** Other measurements, one line each. */
  extra: string[];
  failed: FailedCase[];
  /** False while cases are still to run (results.md is written after each). */
  finished: boolean;
  durationSeconds: number;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderReport(report: BenchReport): string {
  const lines: string[] = [
    '# hfsched benchmark results',
    '',
    `Produced by \`npm run bench\` (bench/run.ts) on ${report.date}, in ${report.durationSeconds.toFixed(0)} s.` +
      (report.finished ? '' : ' The run had not finished: cases still to run are missing.'),
    '',
    ...(report.failed.length === 0
      ? []
      : [
          '## Failed cases',
          '',
          ...report.failed.map((f) => `- **${f.name} failed**: ${f.reason}`),
          '',
          'The figures below are those of the cases that ran to the end.',
          '',
        ]),
    `Machine: ${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}, ` +
      `load average at start ${report.machine.loadAverage}. Tools: ${report.machine.tools.join(', ')}.`,
    '',
    `Everything runs on loopback against the test Hub (test/support/hub-server.ts) in its own process. ` +
      `Each figure is the median of ${report.runsPerTool} runs (peak memory: the highest run); runs of the tools ` +
      `being compared alternate. MB/s is 10^6 bytes per second of wall time for the whole command (start-up, ` +
      `API calls, download, verification); CPU is user + system seconds of the command per GiB downloaded; ` +
      `peak memory is the command's maximum resident set size (GNU time).`,
    '',
    row(['Scenario', 'Tool', 'MB/s', 'CPU s/GiB', 'Peak RSS (MiB)', 'Ratio to reference (MB/s)', 'Server saw']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const scenario of report.scenarios) {
    const reference = scenario.tools.find((t) => t.tool === scenario.reference);
    const referenceRate = reference ? (summarize(reference)?.mbPerSecond ?? null) : null;
    for (const tool of scenario.tools) {
      const summary = summarize(tool);
      if (!summary) {
        lines.push(row([scenario.title, tool.tool, '-', '-', '-', '-', `skipped: ${tool.skipped ?? 'no run'}`]));
        continue;
      }
      const ratio =
        tool.tool === scenario.reference
          ? 'reference'
          : referenceRate === null
            ? '-'
            : `${(summary.mbPerSecond / referenceRate).toFixed(2)}x`;
      lines.push(
        row([
          scenario.title,
          tool.tool,
          summary.mbPerSecond.toFixed(0),
          summary.cpuSecondsPerGib.toFixed(2),
          summary.peakRssMib.toFixed(0),
          ratio,
          tool.note,
        ]),
      );
    }
  }
  lines.push(
    row([
      '(a) reference',
      'Node sha256, one core, same bytes',
      report.sha256MbPerSecond.toFixed(0),
      '-',
      '-',
      '-',
      'hash only, no I/O',
    ]),
    '',
    '## Targets',
    '',
    ...report.targets.map((t) => {
      const failed = report.failed.some((f) => f.name === caseOfTarget(t.text));
      const verdict =
        failed && t.met === null ? '**failed**' : t.met === null ? 'not measured' : t.met ? 'met' : '**not met**';
      return `- ${verdict}: ${t.text}`;
    }),
    '',
    '## Other measurements',
    '',
    ...report.extra.map((line) => `- ${line}`),
    '',
  );
  if (report.profileSummary !== null) lines.push(report.profileSummary.trim(), '');
  return lines.join('\n');
}
