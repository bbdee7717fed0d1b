/**
 * The targets of the benchmark, each with the figures that decide it: the
 * goals the download engine was built to (docs/performance.md).
 */
import type { IdleDaemon } from './extra-measurements.js';
import { FILES_TO_START } from '../src/hub/transfer/file-pool.js';
import { CURL_AT_HFSCHED_RATE, NODE_FLOOR, PLAIN_WRITE } from './clients.js';
import { summarize, type BenchReport, type ScenarioResult, type Summary, type ToolResult } from './report.js';

export /** The goals of the benchmark (issue "The download engine"), each with the figures that decide it. */
function targets(
  scenarios: ScenarioResult[],
  sha256MbPerSecond: number,
  idle: IdleDaemon | null,
  sizesMib: { large: number; huge: number },
): BenchReport['targets'] {
  const scenario = (tag: string): ScenarioResult | undefined => scenarios.find((s) => s.title.startsWith(`${tag} `));
  const [a, b, c, e, f] = ['(a)', '(b)', '(c)', '(e)', '(f)'].map(scenario);
  const of = (s: ScenarioResult | undefined, index: number): Summary | null => {
    const tool = s?.tools[index];
    return tool ? summarize(tool) : null;
  };
  const ofTool = (s: ScenarioResult | undefined, name: string): Summary | null => {
    const tool = s?.tools.find((t) => t.tool === name && t.skipped === null);
    return tool ? summarize(tool) : null;
  };
  const show = (value: number | undefined | null, unit: string, digits = 0): string =>
    value === null || value === undefined ? 'n/a' : `${value.toFixed(digits)} ${unit}`;
  const decide = (ok: boolean | null | undefined): boolean | null => (ok === undefined ? null : ok);
  const cFloor = c?.tools.find((t) => t.tool.startsWith(NODE_FLOOR) && t.skipped === null);
  const [aPull, aCurl, bPull, bAria, cPull, cCurl, ePull, eCurl] = [
    of(a, 0),
    of(a, 1),
    of(b, 0),
    of(b, 1),
    of(c, 0),
    of(c, 1),
    of(e, 0),
    of(e, 1),
  ];
  // One core's sha256 of one GiB, in CPU seconds: what verifying costs at the least.
  const shaCpuPerGib = 1024 ** 3 / (sha256MbPerSecond * 1e6);
  const cpuCeiling = aCurl ? 1.2 * (aCurl.cpuSecondsPerGib + shaCpuPerGib) : null;
  const hfschedRss = [aPull, of(a, 3), bPull, cPull, ePull, of(f, 0), of(f, 1)].map((x) => x?.peakRssMib ?? 0);
  return [
    {
      text: `(a) CPU: ${show(aPull?.cpuSecondsPerGib, 'CPU-s/GiB', 2)} vs 1.2 x (curl ${show(aCurl?.cpuSecondsPerGib, '', 2)}+ sha256 ${shaCpuPerGib.toFixed(2)}) = ${show(cpuCeiling, 'CPU-s/GiB', 2)}`,
      met: decide(aPull && cpuCeiling !== null ? aPull.cpuSecondsPerGib <= cpuCeiling : undefined),
    },
    {
      text: `(a) wall time at most 1.5 x curl's: ${show(aPull?.mbPerSecond, 'MB/s')} vs curl ${show(aCurl?.mbPerSecond, 'MB/s')} / 1.5`,
      met: decide(aPull && aCurl ? aPull.mbPerSecond >= aCurl.mbPerSecond / 1.5 : undefined),
    },
    {
      text: `(b) on defaults at least as fast as aria2c -x8 -s8: ${show(bPull?.mbPerSecond, 'MB/s')} vs ${show(bAria?.mbPerSecond, 'MB/s')}`,
      met: decide(bPull && bAria ? bPull.mbPerSecond >= bAria.mbPerSecond : undefined),
    },
    {
      text: `(c) at least 0.6 x curl --parallel: ${show(cPull?.mbPerSecond, 'MB/s')} vs 0.6 x ${show(cCurl?.mbPerSecond, 'MB/s')}${floorShare(cFloor, cCurl)}`,
      met: decide(cPull && cCurl ? cPull.mbPerSecond >= 0.6 * cCurl.mbPerSecond : undefined),
    },
    {
      text: `(d) peak RSS at most 120 MiB in every hfsched run: highest ${Math.max(...hfschedRss).toFixed(0)} MiB (${hfschedRss.map((x) => x.toFixed(0)).join(', ')} for a, a 1/4, b, c, e, f, f with ${FILES_TO_START} files)`,
      met: Math.max(...hfschedRss) <= 120,
    },
    {
      text: `(d) idle daemon about 0 % CPU and at most one database write a minute: ${show(idle?.cpuPercent, '%', 2)}, ${idle ? ((idle.databaseWrites / idle.seconds) * 60).toFixed(1) : 'n/a'} writes a minute`,
      met: decide(idle ? idle.cpuPercent < 0.5 && (idle.databaseWrites / idle.seconds) * 60 <= 1 : undefined),
    },
    eTarget(
      of(e, 3) ?? aPull,
      ePull,
      aCurl,
      eCurl,
      of(e, 4) ?? ofTool(a, PLAIN_WRITE),
      of(e, 2),
      ofTool(e, CURL_AT_HFSCHED_RATE),
      sizesMib,
    ),
  ];
}

/** What share of curl's rate the Node floor reached in (c), the most a Node program gets here. */
function floorShare(floor: ToolResult | undefined, curl: Summary | null): string {
  const summary = floor ? summarize(floor) : null;
  if (!summary || !curl) return '';
  return ` (the Node floor, the least a Node program does: ${(summary.mbPerSecond / curl.mbPerSecond).toFixed(2)} x curl)`;
}

const cpu = (summary: Summary | null): string => (summary ? summary.cpuSecondsPerGib.toFixed(2) : 'n/a');

/**
 * (e): hfsched's CPU per GiB must not grow with the file. Both sizes are
 * measured in (e)'s own alternation (the (a) size as its fourth tool),
 * since on a VM the kernel's charge for writing a GiB changes with the
 * machine's memory over minutes, and grows with the size written (pages the
 * host took back cost a fault each: docs/performance.md), for every writer
 * alike. So each size is judged net of dd writing the same bytes in the same
 * runs; the raw figures and curl's are shown beside, and curl's when held to
 * hfsched's rate (the charge grows with how long the writing lasts too).
 */
function eTarget(
  aPull: Summary | null,
  ePull: Summary | null,
  aCurl: Summary | null,
  eCurl: Summary | null,
  aWrite: Summary | null,
  eWrite: Summary | null,
  eCurlAtOurRate: Summary | null,
  sizesMib: { large: number; huge: number },
): BenchReport['targets'][number] {
  const paced = eCurlAtOurRate ? `; curl held to hfsched's rate ${cpu(eCurlAtOurRate)}` : '';
  const raw = `raw ${cpu(ePull)} vs ${cpu(aPull)}; curl ${cpu(eCurl)} vs ${cpu(aCurl)}${paced}; dd ${cpu(eWrite)} vs ${cpu(aWrite)}`;
  const sizes = `${sizesMib.huge} MiB file no more than for ${sizesMib.large} MiB`;
  if (!ePull || !aPull) return { text: `(e) CPU per GiB of the ${sizes}: n/a`, met: null };
  if (!eWrite || !aWrite) {
    return {
      text: `(e) CPU per GiB of the ${sizes} (no dd to take out the kernel's charge for the writes): ${raw}`,
      met: ePull.cpuSecondsPerGib <= aPull.cpuSecondsPerGib,
    };
  }
  const eNet = ePull.cpuSecondsPerGib - eWrite.cpuSecondsPerGib;
  const aNet = aPull.cpuSecondsPerGib - aWrite.cpuSecondsPerGib;
  return {
    text: `(e) CPU per GiB of the ${sizes}, net of dd writing the same bytes: ${eNet.toFixed(2)} vs ${aNet.toFixed(2)} CPU-s/GiB (${raw})`,
    met: eNet <= aNet,
  };
}
