/**
 * The targets of the benchmark, each with the figures that decide it: the
 * goals the download engine was built to (docs/performance.md, "Targets").
 * Every case runs over https; the plain-http lines are shown beside, not judged.
 */
import type { IdleDaemon } from './extra-measurements.js';
import { CURL_AT_HFSCHED_RATE, NODE_FLOOR, PLAIN_WRITE } from './clients.js';
import { summarize, type BenchReport, type ScenarioResult, type Summary } from './report.js';

/** The suffix of a secondary line's tool name: the same over plain http. */
export const PLAIN_HTTP = 'plain http';

/** Start-up, medians in seconds from exec. */
export interface StartupFigures {
  version: number;
  firstRequest: number;
  bareNode: number;
}

/** Start-up limit: `hfsched --version`, and the first request of a pull, after exec. */
const STARTUP_LIMIT_SECONDS = 0.12;

export function targets(
  scenarios: ScenarioResult[],
  sha256MbPerSecond: number,
  idle: IdleDaemon | null,
  startup: StartupFigures | null,
  sizesMib: { large: number; huge: number },
): BenchReport['targets'] {
  const scenario = (tag: string): ScenarioResult | undefined => scenarios.find((s) => s.title.startsWith(`${tag} `));
  const [a, b, c, e, f] = ['(a)', '(b)', '(c)', '(e)', '(f)'].map(scenario);
  const of = (s: ScenarioResult | undefined, index: number): Summary | null => {
    const tool = s?.tools[index];
    return tool ? summarize(tool) : null;
  };
  /** The tool whose name is `name`, or starts with it when `prefix`. */
  const ofTool = (s: ScenarioResult | undefined, name: string, prefix = false): Summary | null => {
    const tool = s?.tools.find((t) => (prefix ? t.tool.startsWith(name) : t.tool === name) && t.skipped === null);
    return tool ? summarize(tool) : null;
  };
  const show = (value: number | undefined | null, unit: string, digits = 0): string =>
    value === null || value === undefined ? 'n/a' : `${value.toFixed(digits)} ${unit}`;
  const decide = (ok: boolean | null | undefined): boolean | null => (ok === undefined ? null : ok);
  const [aPull, aCurl, ePull, eCurl] = [of(a, 0), of(a, 1), of(e, 0), of(e, 1)];
  const cPull = of(c, 0);
  const cFloor = c?.tools.find((t) => t.tool.startsWith(NODE_FLOOR) && !t.tool.endsWith(PLAIN_HTTP));
  const cFloorSummary = cFloor ? summarize(cFloor) : null;
  const cCurl = of(c, 1);
  const [bPull, bAria, bSmallPull, bSmallAria] = [of(b, 0), of(b, 1), of(b, 2), of(b, 3)];
  const [fPull, fAria] = [of(f, 0), of(f, 1)];
  // One core's sha256 of one GiB, in CPU seconds: what verifying costs at the least.
  const shaCpuPerGib = 1024 ** 3 / (sha256MbPerSecond * 1e6);
  const cpuCeiling = aCurl ? 1.2 * (aCurl.cpuSecondsPerGib + shaCpuPerGib) : null;
  const hfschedRuns = scenarios.flatMap((s) =>
    s.tools
      .filter((t) => t.tool.startsWith('hfsched'))
      .map((t) => ({
        name: `${s.title.slice(0, 3)} ${t.tool.replace(/^hfsched pull,? ?/, '')}`.trim(),
        summary: summarize(t),
      })),
  );
  const rss = hfschedRuns.filter((r) => r.summary !== null).map((r) => r.summary!.peakRssMib);
  const highest = rss.length > 0 ? Math.max(...rss) : null;
  const atMost = (pull: Summary | null, reference: Summary | null): boolean | null | undefined =>
    pull && reference ? pull.mbPerSecond >= reference.mbPerSecond : undefined;
  return [
    {
      text: `(a) CPU: ${show(aPull?.cpuSecondsPerGib, 'CPU-s/GiB', 2)} vs 1.2 x (curl ${show(aCurl?.cpuSecondsPerGib, '', 2)}+ sha256 ${shaCpuPerGib.toFixed(2)}) = ${show(cpuCeiling, 'CPU-s/GiB', 2)}`,
      met: decide(aPull && cpuCeiling !== null ? aPull.cpuSecondsPerGib <= cpuCeiling : undefined),
    },
    {
      text: `(a) wall time at most 1.15 x curl's: ${show(aPull?.mbPerSecond, 'MB/s')} vs curl ${show(aCurl?.mbPerSecond, 'MB/s')} / 1.15 = ${show(aCurl ? aCurl.mbPerSecond / 1.15 : null, 'MB/s')}`,
      met: decide(aPull && aCurl ? aPull.mbPerSecond >= aCurl.mbPerSecond / 1.15 : undefined),
    },
    {
      text: `(b) ${sizesMib.large} MiB at the cap, wall time at most aria2c -x8 -s8's: ${show(bPull?.mbPerSecond, 'MB/s')} vs ${show(bAria?.mbPerSecond, 'MB/s')}`,
      met: decide(atMost(bPull, bAria)),
    },
    {
      text: `(b) ${sizesMib.large / 4} MiB at the cap, wall time at most aria2c -x8 -s8's: ${show(bSmallPull?.mbPerSecond, 'MB/s')} vs ${show(bSmallAria?.mbPerSecond, 'MB/s')}`,
      met: decide(atMost(bSmallPull, bSmallAria)),
    },
    {
      text: `(f) at least 1.0 x aria2c -j16: ${show(fPull?.mbPerSecond, 'MB/s')} vs ${show(fAria?.mbPerSecond, 'MB/s')}`,
      met: decide(atMost(fPull, fAria)),
    },
    {
      text: `(c) at least 0.9 x the Node floor's rate: ${show(cPull?.mbPerSecond, 'MB/s')} vs 0.9 x ${show(cFloorSummary?.mbPerSecond, 'MB/s')}${cFloorSummary && cCurl ? ` (the floor: ${(cFloorSummary.mbPerSecond / cCurl.mbPerSecond).toFixed(2)} x curl --parallel; hfsched ${cPull ? (cPull.mbPerSecond / cCurl.mbPerSecond).toFixed(2) : 'n/a'} x)` : ''}`,
      met: decide(cPull && cFloorSummary ? cPull.mbPerSecond >= 0.9 * cFloorSummary.mbPerSecond : undefined),
    },
    {
      text: `(d) peak RSS at most 120 MiB in every hfsched run: highest ${show(highest, 'MiB')} (${hfschedRuns.map((r) => `${r.name} ${r.summary ? r.summary.peakRssMib.toFixed(0) : '-'}`).join(', ')})`,
      met: highest === null ? null : highest <= 120,
    },
    {
      text: `(d) idle daemon about 0 % CPU and at most one database write a minute: ${show(idle?.cpuPercent, '%', 2)}, ${idle ? ((idle.databaseWrites / idle.seconds) * 60).toFixed(1) : 'n/a'} writes a minute`,
      met: decide(idle ? idle.cpuPercent < 0.5 && (idle.databaseWrites / idle.seconds) * 60 <= 1 : undefined),
    },
    {
      text: `start-up: \`hfsched --version\` at most ${STARTUP_LIMIT_SECONDS} s after exec (median): ${show(startup?.version, 's', 3)} (a bare node -e 0: ${show(startup?.bareNode, 's', 3)})`,
      met: decide(startup ? startup.version <= STARTUP_LIMIT_SECONDS : undefined),
    },
    {
      text: `start-up: the first request of \`hfsched pull\` at most ${STARTUP_LIMIT_SECONDS} s after exec (median): ${show(startup?.firstRequest, 's', 3)}`,
      met: decide(startup ? startup.firstRequest <= STARTUP_LIMIT_SECONDS : undefined),
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
