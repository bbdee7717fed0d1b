/**
 * `npm run bench`: hfsched pull against reference downloaders, on loopback,
 * against the test Hub in a child process, in one run. The Hub serves https
 * with a certificate of a CA made for the run (test/support/test-ca.ts), as
 * the real Hub serves https; every client trusts that CA its own way. Each
 * case also runs hfsched over plain http, a secondary line:
 *   (a) one large file, unthrottled: hfsched pull vs curl and the official
 *       JavaScript client, and Node's sha256 rate on one core over the same
 *       bytes (the ceiling of a verified download);
 *   (b) the same file, the server capped at 20 MB/s per connection:
 *       hfsched pull on its defaults vs aria2c -x8 -s8;
 *   (c) a repository of many small files: hfsched pull vs curl --parallel,
 *       and the Node floor (node-floor.ts: the least a Node program does);
 *   (f) 64 files of 4 MiB under (b)'s cap: hfsched, with and without adding
 *       files at a time, vs aria2c -j16 (informative: no target);
 *   (e) a 5 GiB body (the (a) file 5 times over): hfsched and curl, CPU per
 *       GiB against (a); (a) and (e) also time dd writing as many bytes with
 *       no download, the kernel's charge for the writes alone (targets.ts),
 *       and (e) curl held to hfsched's rate, what the same duration costs;
 *   (h) "hash": one connection read as the engine reads, sha256 inline or on
 *       a worker thread (hash-offload.ts), alternated, ratios run by run;
 *   the mirror (serve-case.ts): hfsched serve vs nginx sending the (a) file
 *       to 1, 8 and 32 clients at once;
 *   start-up: `hfsched --version` and the first request of a `pull`, from exec;
 *   and the cost of fsync, and the idle daemon (extra-measurements.ts).
 * After each case, one more `hfsched pull` runs under `node --cpu-prof`; its
 * summary goes into bench/profile-summary.md (profile.ts).
 * Writes bench/results.md and prints it. Generated files live on tmpfs
 * (/dev/shm/hfsched-bench, else bench/work/) and are removed at the end.
 *
 * Knobs (environment): HFSCHED_BENCH_SIZE_MIB (default 1024), HFSCHED_BENCH_RUNS
 * (default 3), HFSCHED_BENCH_SMALL_FILES (default 2000), HFSCHED_BENCH_DIR,
 * HFSCHED_BENCH_HUGE_MIB (default 5120; 0 skips the case), HFSCHED_BENCH_CASES
 * (default all: a comma-separated list of a, b, c, e, f, hash, serve, start, fsync, idle).
 * bench/results.md is written again after each case: a case that fails is
 * reported as failed there (and the bench exits 1), the others' figures kept.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BenchClients,
  CURL_AT_HFSCHED_RATE,
  findTool,
  NODE_FLOOR,
  PLAIN_WRITE,
  TINY_REPO,
  type Expected,
} from './clients.js';
import { measureFsyncCost, measureIdleDaemon, type IdleDaemon } from './extra-measurements.js';
import { HubChild } from './hub-child.js';
import type { BenchHubConfig, BenchHubStats } from './hub-process.js';
import { readProfile, summarizeProfile } from './profile.js';
import { createTestCa } from '../test/support/test-ca.js';
import { gnuTimeAvailable, type Measurement } from './measure.js';
import { renderReport, type BenchReport, type FailedCase, type ScenarioResult, type ToolResult } from './report.js';
import { runServeCase } from './serve-case.js';
import { PLAIN_HTTP, targets, type StartupFigures } from './targets.js';
import { measureSha256Rate, repeatedSha256, warmUpMemory, writeLargeFile } from './workload.js';

const MIB = 1024 * 1024;
const LARGE_BYTES = positiveInteger('HFSCHED_BENCH_SIZE_MIB', 1024) * MIB;
const RUNS = positiveInteger('HFSCHED_BENCH_RUNS', 3);
const SMALL_FILES = positiveInteger('HFSCHED_BENCH_SMALL_FILES', 2000);
const HUGE_BYTES = (Number(process.env['HFSCHED_BENCH_HUGE_MIB'] ?? 5120) || 0) * MIB;
if (HUGE_BYTES % LARGE_BYTES !== 0)
  throw new Error(
    'HFSCHED_BENCH_HUGE_MIB must be a multiple of HFSCHED_BENCH_SIZE_MIB (the (e) body is the (a) file repeated)',
  );
const THROTTLE_BYTES_PER_SECOND = 20_000_000;
/** aria2c's connections in (b); hfsched runs on its defaults. */
const THROTTLED_CONNECTIONS = 8;
// A full minute: an idle daemon writes its heartbeat once a minute, so a shorter window over- or under-counts.
const IDLE_SECONDS = 60;
/** The memory check downloads a file this many times smaller too: flat memory does not grow with it. */
const SMALLER_FILE_DIVISOR = 4;
const SMALLER_BYTES_LABEL = `the ${LARGE_BYTES / SMALLER_FILE_DIVISOR / MIB} MiB file`;
/** curl --parallel and the Node floor: as many files at a time as huggingface_hub's snapshot_download (max_workers=8). */
const SMALL_FILES_PARALLEL = 8;
/** (f): files too small to split (under download.multipart_threshold_bytes), under (b)'s cap. */
const MEDIUM_FILES = 64;
const MEDIUM_FILE_BYTES = 4 * MIB;
/** aria2c's files at a time in (f): hfsched's most (download.concurrent_files). */
const MEDIUM_FILES_PARALLEL = 16;
/** Start-up runs (the target is on their median). */
const STARTUP_RUNS = 10;
const CASE_NAMES = ['a', 'b', 'c', 'e', 'f', 'hash', 'serve', 'start', 'fsync', 'idle'] as const;
type CaseName = (typeof CASE_NAMES)[number];
const CASES = new Set(
  (process.env['HFSCHED_BENCH_CASES'] ?? CASE_NAMES.join(',')).split(',').map((name) => name.trim()),
);
const unknownCases = [...CASES].filter((name) => !(CASE_NAMES as readonly string[]).includes(name));
if (unknownCases.length > 0)
  throw new Error(`HFSCHED_BENCH_CASES: unknown case ${unknownCases.join(', ')}; the cases: ${CASE_NAMES.join(', ')}`);
/** Where the profiled runs write (under WORK_DIR), and the summaries' place in profile-summary.md. */
const PROFILE_BEGIN = '<!-- profiles of the last npm run bench: begin -->';
const PROFILE_END = '<!-- profiles of the last npm run bench: end -->';

const CLI_PATH = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const REPO_ROOT = repositoryRoot();
const WORK_DIR =
  process.env['HFSCHED_BENCH_DIR'] ??
  (existsSync('/dev/shm') ? '/dev/shm/hfsched-bench' : join(REPO_ROOT, 'bench', 'work'));
/** On the disk (not tmpfs): where the cost of fsync is measured too. */
const DISK_DIR = join(REPO_ROOT, 'bench', 'work');
const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.md');
const PROFILE_PATH = join(REPO_ROOT, 'bench', 'profile-summary.md');

const LARGE_REPO = 'bench/large-model';
const SMALLER_REPO = 'bench/smaller-model';
const SMALL_REPO = 'bench/many-small-files';
const HUGE_REPO = 'bench/huge-model';
const MEDIUM_REPO = 'bench/many-shards';
const LARGE_PATH = 'model.safetensors';

/** The checkout this compiled file belongs to (dist/bench/run.js, or any other outDir): the first folder up with bench/run.ts. */
function repositoryRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'bench', 'run.ts'))) {
    const parent = dirname(folder);
    if (parent === folder)
      throw new Error(
        `cannot find the repository (a folder with bench/run.ts) above ${fileURLToPath(import.meta.url)}`,
      );
    folder = parent;
  }
  return folder;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name}=${raw} is not a positive integer; unset it or give e.g. ${fallback}`);
  return value;
}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

function toolVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.split(' ').slice(0, 3).join(' ');
}

interface Contender {
  result: ToolResult;
  run: () => Promise<Measurement>;
  describe: (stats: BenchHubStats) => string;
}

function contender(
  tool: string,
  bytes: number,
  run: () => Promise<Measurement>,
  describe: Contender['describe'],
): Contender {
  return { result: { tool, bytes, runs: [], note: '', skipped: null }, run, describe };
}

function skipped(tool: string, why: string): Contender {
  return {
    result: { tool, bytes: 0, runs: [], note: '', skipped: why },
    run: () => Promise.reject(new Error(`${tool} is skipped`)),
    describe: () => '',
  };
}

/** dd writing as many bytes, alternated with the downloads: the kernel's charge for the writes alone. */
function plainWriter(dd: string, clients: BenchClients, expected: Expected, name = PLAIN_WRITE): Contender {
  return contender(
    name,
    expected.bytes,
    () => clients.plainWrite(dd, expected),
    () => 'no network',
  );
}

/** Bytes per second of wall time of a tool's last run. */
function rateOf(result: ToolResult): number {
  const last = result.runs.at(-1);
  if (last === undefined) throw new Error(`${result.tool} has no run to take a rate from`);
  return result.bytes / last.wallSeconds;
}

/** Runs every contender RUNS times, alternating them, so that load from elsewhere hits all alike. */
async function race(label: string, hub: HubChild, contenders: Contender[]): Promise<void> {
  await hub.stats(); // forget what came before
  for (let round = 1; round <= RUNS; round++) {
    for (const c of contenders) {
      if (c.result.skipped !== null) continue;
      const measured = await c.run();
      const stats = await hub.stats();
      c.result.runs.push(measured);
      c.result.note = c.describe(stats) + (stats.errors > 0 ? `, ${stats.errors} error answers` : '');
      const rate = c.result.bytes / 1e6 / measured.wallSeconds;
      say(
        `${label} ${c.result.tool}, run ${round}/${RUNS}: ${rate.toFixed(0)} MB/s, ${measured.cpuSeconds.toFixed(2)} CPU s, ${(measured.peakRssBytes / MIB).toFixed(0)} MiB`,
      );
    }
  }
}

const cdnNote = (stats: BenchHubStats): string =>
  `${stats.cdnBodies} CDN responses with bytes, ${stats.rangeRequests} with Range`;
const hubNote = (stats: BenchHubStats): string => `${stats.hubBodies} file responses from the Hub`;

/** A case's profiled run: one more `hfsched pull` under node --cpu-prof, summarized. */
async function profileCase(
  label: string,
  run: (nodeOptions: string[]) => Promise<Measurement>,
  profiles: { label: string; lines: string[] }[],
): Promise<void> {
  const folder = join(WORK_DIR, `profile-${profiles.length}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  try {
    await run(['--cpu-prof', `--cpu-prof-dir=${folder}`]);
    profiles.push({ label, lines: summarizeProfile(readProfile(folder)) });
    say(`${label}: profiled`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** bench/profile-summary.md with this run's profiles between the markers (the notes around them kept). */
function writeProfiles(profiles: { label: string; lines: string[] }[], date: string): string {
  const old = existsSync(PROFILE_PATH) ? readFileSync(PROFILE_PATH, 'utf8') : '## Profile summary\n';
  const section = [
    PROFILE_BEGIN,
    `### Profiles of the run of ${date}`,
    '',
    "One `hfsched pull` per case under `node --cpu-prof` (the main thread), right after the case's runs, over https:",
    '',
    ...profiles.flatMap(({ label, lines }) => [`- ${label}: ${lines[0]}`, ...lines.slice(1)]),
    PROFILE_END,
  ].join('\n');
  const begin = old.indexOf(PROFILE_BEGIN);
  const end = old.indexOf(PROFILE_END);
  const text =
    begin >= 0 && end > begin
      ? `${old.slice(0, begin)}${section}${old.slice(end + PROFILE_END.length)}`
      : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(PROFILE_PATH, text);
  return text;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const startedAt = performance.now();
  if (!gnuTimeAvailable())
    throw new Error(
      'GNU time (/usr/bin/time) is missing: install it (apt-get install -y time) and run the bench again',
    );
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run "npm run build" first (npm run bench does)`);
  const curl = findTool('curl');
  const aria2c = findTool('aria2c');
  const dd = findTool('dd');
  const machine: BenchReport['machine'] = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    tools: [curl ? toolVersion(curl) : 'curl missing', aria2c ? toolVersion(aria2c) : 'aria2c missing'],
  };

  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  // A CA made for this run: the Hub's certificate is signed by it, and every client trusts it.
  const ca = createTestCa();
  try {
    say(`generating ${LARGE_BYTES / MIB} MiB and ${LARGE_BYTES / SMALLER_FILE_DIVISOR / MIB} MiB files in ${WORK_DIR}`);
    const large = writeLargeFile(join(WORK_DIR, 'large.bin'), LARGE_BYTES);
    const smaller = writeLargeFile(join(WORK_DIR, 'smaller.bin'), LARGE_BYTES / SMALLER_FILE_DIVISOR);
    const sha256Rate = measureSha256Rate(large);
    // As much as the largest download writes, so that every run finds memory warm.
    const warmUpBytes = CASES.has('e') ? Math.max(LARGE_BYTES, HUGE_BYTES) : LARGE_BYTES;
    say(`warming up: writing and deleting ${warmUpBytes / MIB} MiB in ${WORK_DIR}`);
    warmUpMemory(join(WORK_DIR, 'warm-up.bin'), warmUpBytes);
    say(`Node sha256 on one core: ${(sha256Rate / 1e6).toFixed(0)} MB/s`);

    const config: BenchHubConfig = {
      large: [
        { repoId: LARGE_REPO, path: LARGE_PATH, diskPath: large.path, sha256: large.sha256 },
        { repoId: SMALLER_REPO, path: LARGE_PATH, diskPath: smaller.path, sha256: smaller.sha256 },
      ],
      small: { repoId: SMALL_REPO, count: SMALL_FILES, minBytes: 4 * 1024, maxBytes: 64 * 1024, perFolder: 100 },
      throttleBytesPerSecond: null,
      tls: ca.tls,
    };
    const largeExpected: Expected = { files: 1, bytes: large.size };
    const smallerExpected: Expected = { files: 1, bytes: smaller.size };
    const scenarios: ScenarioResult[] = [];
    const extra: string[] = [];
    const profiles: { label: string; lines: string[] }[] = [];
    const failed: FailedCase[] = [];
    let idleDaemon: IdleDaemon | null = null;
    let startup: StartupFigures | null = null;

    /** Writes bench/results.md with what is measured so far: a case that fails later loses nothing of the others. */
    const publish = (finished: boolean): string => {
      const date = new Date().toISOString();
      const report: BenchReport = {
        date,
        machine,
        runsPerTool: RUNS,
        sha256MbPerSecond: sha256Rate / 1e6,
        scenarios: [...scenarios].sort((x, y) => (x.title < y.title ? -1 : 1)),
        targets: targets(scenarios, sha256Rate / 1e6, idleDaemon, startup, {
          large: LARGE_BYTES / MIB,
          huge: HUGE_BYTES / MIB,
        }),
        extra,
        failed,
        finished,
        profileSummary: writeProfiles(profiles, date),
        durationSeconds: (performance.now() - startedAt) / 1000,
      };
      const text = renderReport(report);
      writeFileSync(RESULTS_PATH, text);
      return text;
    };
    /** Runs one case if asked for; a failure is reported as that case's, and the bench goes on. */
    const attempt = async (name: CaseName, body: () => Promise<void>): Promise<void> => {
      if (!CASES.has(name)) return;
      try {
        await body();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failed.push({ name, reason });
        say(`case ${name} failed: ${reason}`);
      }
      publish(false);
    };
    /** A Hub process for `cases`: if it cannot start, each of them fails with that reason. */
    const withHub = async (
      hubConfig: BenchHubConfig,
      cases: CaseName[],
      body: (hub: HubChild) => Promise<void>,
    ): Promise<void> => {
      const wanted = cases.filter((name) => CASES.has(name));
      if (wanted.length === 0) return;
      let hub: HubChild;
      try {
        hub = await HubChild.start(hubConfig);
      } catch (error) {
        for (const name of wanted) await attempt(name, () => Promise.reject(error));
        return;
      }
      try {
        await body(hub);
      } finally {
        await hub.stop();
      }
    };

    await withHub(config, ['start', 'a', 'hash', 'c'], async (hub) => {
      const clients = new BenchClients(WORK_DIR, CLI_PATH, hub.ready.url, ca.caPath);
      const plain = clients.over(hub.ready.httpUrl!, null);
      const largeUrl = `${hub.ready.url}/${LARGE_REPO}/resolve/main/${LARGE_PATH}`;
      const plainLargeUrl = `${hub.ready.httpUrl!}/${LARGE_REPO}/resolve/main/${LARGE_PATH}`;
      await attempt('start', async () => {
        const firstRequestAt = async (): Promise<number | null> => (await hub.stats()).firstRequestAt;
        const pulls: number[] = [];
        const versions: number[] = [];
        const bare: number[] = [];
        // Alternated, one run each at a time, so that load from elsewhere hits all three alike.
        for (let run = 0; run < STARTUP_RUNS; run++) {
          pulls.push(...(await clients.pullStartups(TINY_REPO, 1, firstRequestAt)));
          versions.push(...(await clients.execTimes([CLI_PATH, '--version'], 1)));
          bare.push(...(await clients.execTimes(['-e', '0'], 1)));
        }
        startup = { version: median(versions), firstRequest: median(pulls), bareNode: median(bare) };
        extra.push(
          `start-up, median of ${STARTUP_RUNS} (alternated): \`hfsched --version\` exits ${startup.version.toFixed(3)} s after exec; ` +
            `the first request of \`hfsched pull\` (https) reaches the Hub ${startup.firstRequest.toFixed(3)} s after exec; ` +
            `a bare \`node -e 0\` exits after ${startup.bareNode.toFixed(3)} s`,
        );
        await profileCase(
          'start-up (pull of a one-file repository)',
          (options) => clients.hfschedPull(TINY_REPO, {}, { files: 1, bytes: 16 }, options),
          profiles,
        );
      });
      await attempt('a', async () => {
        const a = [
          contender('hfsched pull', large.size, () => clients.hfschedPull(LARGE_REPO, {}, largeExpected), cdnNote),
          curl
            ? contender('curl', large.size, () => clients.curl(curl, largeUrl, largeExpected), cdnNote)
            : skipped('curl', 'curl not installed'),
          contender(
            '@huggingface/hub downloadFileToCacheDir',
            large.size,
            () => clients.officialJsClient(LARGE_REPO, LARGE_PATH, largeExpected),
            cdnNote,
          ),
          contender(
            `hfsched pull, 1/${SMALLER_FILE_DIVISOR} size file`,
            smaller.size,
            () => clients.hfschedPull(SMALLER_REPO, {}, smallerExpected),
            cdnNote,
          ),
          dd ? plainWriter(dd, clients, largeExpected) : skipped(PLAIN_WRITE, 'dd not installed'),
          contender(
            `hfsched pull, ${PLAIN_HTTP}`,
            large.size,
            () => plain.hfschedPull(LARGE_REPO, {}, largeExpected),
            cdnNote,
          ),
          curl
            ? contender(
                `curl, ${PLAIN_HTTP}`,
                large.size,
                () => plain.curl(curl, plainLargeUrl, largeExpected),
                cdnNote,
              )
            : skipped(`curl, ${PLAIN_HTTP}`, 'curl not installed'),
        ];
        await race('(a)', hub, a);
        scenarios.push({
          title: `(a) ${LARGE_BYTES / MIB} MiB file, unthrottled`,
          reference: 'curl',
          tools: a.map((c) => c.result),
        });
        await profileCase(
          `(a) ${LARGE_BYTES / MIB} MiB`,
          (options) => clients.hfschedPull(LARGE_REPO, {}, largeExpected, options),
          profiles,
        );
      });

      await attempt('hash', async () => {
        // Item 3: sha256 on a worker thread (buffers transferred) against inline, one connection, same read path.
        const sizes = [
          { file: large, expected: largeExpected, repo: LARGE_REPO, label: `${LARGE_BYTES / MIB} MiB` },
          { file: smaller, expected: smallerExpected, repo: SMALLER_REPO, label: SMALLER_BYTES_LABEL },
        ];
        const h = sizes.flatMap(({ file, expected, repo, label }) =>
          (['inline', 'worker'] as const).map((mode) =>
            contender(
              `sha256 ${mode === 'inline' ? 'inline' : 'on a worker thread'}, ${label}`,
              file.size,
              () =>
                clients.hashOffload(`${hub.ready.url}/${repo}/resolve/main/${LARGE_PATH}`, mode, file.sha256, expected),
              cdnNote,
            ),
          ),
        );
        await race('(h)', hub, h);
        scenarios.push({
          title: '(h) one connection read as the engine reads, sha256 inline or on a worker thread',
          reference: h[0]!.result.tool,
          tools: h.map((x) => x.result),
        });
        for (const [inline, worker] of [
          [h[0]!, h[1]!],
          [h[2]!, h[3]!],
        ] as const) {
          const pairs = inline.result.runs.map((run, index) => {
            const other = worker.result.runs[index]!;
            return { wall: other.wallSeconds / run.wallSeconds, cpu: other.cpuSeconds / run.cpuSeconds };
          });
          extra.push(
            `(h) ${worker.result.tool} / inline, run by run (alternated): wall ${pairs.map((p) => p.wall.toFixed(2)).join(', ')}; ` +
              `CPU ${pairs.map((p) => p.cpu.toFixed(2)).join(', ')} (median wall ${median(pairs.map((p) => p.wall)).toFixed(2)}, CPU ${median(pairs.map((p) => p.cpu)).toFixed(2)})`,
          );
        }
      });

      await attempt('c', async () => {
        const smallFiles = hub.ready.smallFiles;
        const smallExpected: Expected = {
          files: smallFiles.length,
          bytes: smallFiles.reduce((sum, f) => sum + f.size, 0),
        };
        const urlsOf = (base: string): { url: string; path: string }[] =>
          smallFiles.map((f) => ({ url: `${base}/${SMALL_REPO}/resolve/main/${f.path}`, path: f.path }));
        const urls = urlsOf(hub.ready.url);
        const c = [
          contender(
            'hfsched pull',
            smallExpected.bytes,
            () => clients.hfschedPull(SMALL_REPO, {}, smallExpected),
            hubNote,
          ),
          curl
            ? contender(
                `curl --parallel --parallel-max ${SMALL_FILES_PARALLEL}`,
                smallExpected.bytes,
                () => clients.curlParallel(curl, urls, SMALL_FILES_PARALLEL, smallExpected),
                hubNote,
              )
            : skipped('curl --parallel', 'curl not installed'),
          contender(
            `${NODE_FLOOR}, ${SMALL_FILES_PARALLEL} at a time`,
            smallExpected.bytes,
            () => clients.nodeFloor(urls, SMALL_FILES_PARALLEL, smallExpected),
            hubNote,
          ),
          contender(
            `hfsched pull, ${PLAIN_HTTP}`,
            smallExpected.bytes,
            () => plain.hfschedPull(SMALL_REPO, {}, smallExpected),
            hubNote,
          ),
          contender(
            `${NODE_FLOOR}, ${SMALL_FILES_PARALLEL} at a time, ${PLAIN_HTTP}`,
            smallExpected.bytes,
            () => plain.nodeFloor(urlsOf(hub.ready.httpUrl!), SMALL_FILES_PARALLEL, smallExpected),
            hubNote,
          ),
        ];
        await race('(c)', hub, c);
        scenarios.push({
          title: `(c) ${smallFiles.length} files of 4-64 KiB (${(smallExpected.bytes / MIB).toFixed(0)} MiB)`,
          reference: c[1]!.result.tool,
          tools: c.map((x) => x.result),
        });
        await profileCase(
          `(c) ${smallFiles.length} small files`,
          (options) => clients.hfschedPull(SMALL_REPO, {}, smallExpected, options),
          profiles,
        );
      });
    });

    const throttledConfig: BenchHubConfig = {
      ...config,
      medium: { repoId: MEDIUM_REPO, count: MEDIUM_FILES, bytes: MEDIUM_FILE_BYTES },
      throttleBytesPerSecond: THROTTLE_BYTES_PER_SECOND,
    };
    await withHub(throttledConfig, ['b', 'f'], async (throttled) => {
      const clients = new BenchClients(WORK_DIR, CLI_PATH, throttled.ready.url, ca.caPath);
      const plain = clients.over(throttled.ready.httpUrl!, null);
      const urlOf = (repo: string): string => `${throttled.ready.url}/${repo}/resolve/main/${LARGE_PATH}`;
      const aria = `aria2c -x${THROTTLED_CONNECTIONS} -s${THROTTLED_CONNECTIONS}`;
      await attempt('b', async () => {
        const b = [
          contender(
            'hfsched pull, defaults',
            large.size,
            () => clients.hfschedPull(LARGE_REPO, {}, largeExpected),
            cdnNote,
          ),
          aria2c
            ? contender(
                aria,
                large.size,
                () => clients.aria2c(aria2c, urlOf(LARGE_REPO), THROTTLED_CONNECTIONS, largeExpected),
                cdnNote,
              )
            : skipped('aria2c', 'aria2c not installed (apt-get install -y aria2)'),
          contender(
            `hfsched pull, defaults, ${SMALLER_BYTES_LABEL}`,
            smaller.size,
            () => clients.hfschedPull(SMALLER_REPO, {}, smallerExpected),
            cdnNote,
          ),
          aria2c
            ? contender(
                `${aria}, ${SMALLER_BYTES_LABEL}`,
                smaller.size,
                () => clients.aria2c(aria2c, urlOf(SMALLER_REPO), THROTTLED_CONNECTIONS, smallerExpected),
                cdnNote,
              )
            : skipped('aria2c', 'aria2c not installed (apt-get install -y aria2)'),
          contender(
            `hfsched pull, defaults, ${PLAIN_HTTP}`,
            large.size,
            () => plain.hfschedPull(LARGE_REPO, {}, largeExpected),
            cdnNote,
          ),
        ];
        await race('(b)', throttled, b);
        scenarios.push({
          title: `(b) same files, server capped at ${THROTTLE_BYTES_PER_SECOND / 1e6} MB/s per connection`,
          reference: b[1]!.result.tool,
          tools: b.map((x) => x.result),
        });
        await profileCase(
          `(b) ${SMALLER_BYTES_LABEL} at 20 MB/s per connection`,
          (options) => clients.hfschedPull(SMALLER_REPO, {}, smallerExpected, options),
          profiles,
        );
      });

      await attempt('f', async () => {
        const mediumExpected: Expected = { files: MEDIUM_FILES, bytes: MEDIUM_FILES * MEDIUM_FILE_BYTES };
        const mediumUrls = throttled.ready.mediumFiles.map((f) => ({
          url: `${throttled.ready.url}/${MEDIUM_REPO}/resolve/main/${f.path}`,
          path: f.path,
        }));
        const f = [
          contender(
            'hfsched pull, defaults',
            mediumExpected.bytes,
            () => clients.hfschedPull(MEDIUM_REPO, {}, mediumExpected),
            cdnNote,
          ),
          aria2c
            ? contender(
                `aria2c -j${MEDIUM_FILES_PARALLEL}`,
                mediumExpected.bytes,
                () => clients.aria2cMany(aria2c, mediumUrls, MEDIUM_FILES_PARALLEL, mediumExpected),
                cdnNote,
              )
            : skipped('aria2c', 'aria2c not installed (apt-get install -y aria2)'),
          contender(
            `hfsched pull, defaults, ${PLAIN_HTTP}`,
            mediumExpected.bytes,
            () => plain.hfschedPull(MEDIUM_REPO, {}, mediumExpected),
            cdnNote,
          ),
        ];
        await race('(f)', throttled, f);
        scenarios.push({
          title: `(f) ${MEDIUM_FILES} files of ${MEDIUM_FILE_BYTES / MIB} MiB, the same cap`,
          reference: f[1]!.result.tool,
          tools: f.map((x) => x.result),
        });
        await profileCase(
          `(f) ${MEDIUM_FILES} files of ${MEDIUM_FILE_BYTES / MIB} MiB at 20 MB/s per connection`,
          (options) => clients.hfschedPull(MEDIUM_REPO, {}, mediumExpected, options),
          profiles,
        );
      });
    });

    if (!CASES.has('e')) {
      extra.push('(e) not run (HFSCHED_BENCH_CASES)');
    } else if (HUGE_BYTES > 0 && freemem() > HUGE_BYTES + 4 * 1024 * MIB) {
      await attempt('e', async () => {
        // The (a) file served HUGE / LARGE times over: the source takes no more memory, so that
        // memory holds little more than what the clients write. (On a VM, pages the machine has
        // not used lately cost the kernel several times more to hand out, to any writer.)
        const repeat = HUGE_BYTES / LARGE_BYTES;
        say(`hashing the ${HUGE_BYTES / MIB} MiB body of (e): the ${LARGE_BYTES / MIB} MiB file ${repeat} times over`);
        const huge = { size: HUGE_BYTES, sha256: repeatedSha256(large, repeat) };
        const hugeHub = await HubChild.start({
          ...config,
          large: [
            { repoId: HUGE_REPO, path: LARGE_PATH, diskPath: large.path, sha256: huge.sha256, repeat },
            { repoId: LARGE_REPO, path: LARGE_PATH, diskPath: large.path, sha256: large.sha256 },
          ],
        });
        try {
          const clients = new BenchClients(WORK_DIR, CLI_PATH, hugeHub.ready.url, ca.caPath);
          const hugeExpected: Expected = { files: 1, bytes: huge.size };
          const hugeUrl = `${hugeHub.ready.url}/${HUGE_REPO}/resolve/main/${LARGE_PATH}`;
          const e: Contender[] = [
            contender('hfsched pull', huge.size, () => clients.hfschedPull(HUGE_REPO, {}, hugeExpected), cdnNote),
            // curl on the same bytes: what writing this much costs the kernel here, whoever writes.
            curl
              ? contender('curl', huge.size, () => clients.curl(curl, hugeUrl, hugeExpected), cdnNote)
              : skipped('curl', 'curl not installed'),
            dd ? plainWriter(dd, clients, hugeExpected) : skipped(PLAIN_WRITE, 'dd not installed'),
            // The (a) size again, in the same alternation: the VM's memory changes over minutes, so both
            // sizes are measured side by side (targets.ts reads the first five tools by position).
            contender(
              `hfsched pull, the ${LARGE_BYTES / MIB} MiB file`,
              large.size,
              () => clients.hfschedPull(LARGE_REPO, {}, largeExpected),
              cdnNote,
            ),
            dd
              ? plainWriter(dd, clients, largeExpected, `${PLAIN_WRITE}, ${LARGE_BYTES / MIB} MiB`)
              : skipped(PLAIN_WRITE, 'dd not installed'),
            // curl again, held to the rate hfsched reached on the same bytes in this round: on a VM the
            // kernel charges more per GiB written the longer the writing lasts (docs/performance.md).
            curl
              ? contender(
                  CURL_AT_HFSCHED_RATE,
                  huge.size,
                  () => clients.curl(curl, hugeUrl, hugeExpected, rateOf(e[0]!.result)),
                  cdnNote,
                )
              : skipped(CURL_AT_HFSCHED_RATE, 'curl not installed'),
          ];
          await race('(e)', hugeHub, e);
          scenarios.push({
            title: `(e) ${HUGE_BYTES / MIB} MiB file, unthrottled`,
            reference: 'curl',
            tools: e.map((x) => x.result),
          });
          await profileCase(
            `(e) ${HUGE_BYTES / MIB} MiB`,
            (options) => clients.hfschedPull(HUGE_REPO, {}, hugeExpected, options),
            profiles,
          );
        } finally {
          await hugeHub.stop();
        }
      });
    } else {
      extra.push(`(e) skipped: HFSCHED_BENCH_HUGE_MIB=0, or less free memory than the file's size for tmpfs`);
    }

    await attempt('serve', async () => {
      // The mirror (serve-case.ts): the (a) file from a cache to 1, 8 and 32 clients, against nginx.
      say('serve case: hfsched serve and nginx sending the (a) file to 1, 8 and 32 curl clients');
      extra.push(...(await runServeCase(join(WORK_DIR, 'serve'), large)).lines);
    });

    await attempt('fsync', () => {
      for (const cost of measureFsyncCost([
        { where: 'tmpfs', folder: WORK_DIR },
        { where: 'the repository disk', folder: DISK_DIR },
      ])) {
        extra.push(
          `fsync cost on ${cost.where}: a 32 KiB file written aside and renamed takes ${cost.plainMs.toFixed(3)} ms, ` +
            `${cost.durableMs.toFixed(3)} ms with fsync of each file and one of their folder (what hfsched does for small blobs)`,
        );
      }
      return Promise.resolve();
    });
    await attempt('idle', async () => {
      const idle = await measureIdleDaemon(CLI_PATH, join(WORK_DIR, 'idle-daemon'), process.env, IDLE_SECONDS);
      idleDaemon = idle;
      extra.push(
        `idle daemon (one daily schedule, 5 pending models), over ${idle.seconds.toFixed(0)} s after 5 s to settle: ` +
          `${idle.cpuPercent.toFixed(2)} % of one core, ${idle.databaseWrites} database writes ` +
          `(${((idle.databaseWrites / idle.seconds) * 60).toFixed(1)} a minute)`,
      );
    });

    const text = publish(true);
    process.stdout.write(`${text}\n`);
    say(`wrote ${RESULTS_PATH}${failed.length > 0 ? ` (failed: ${failed.map((f) => f.name).join(', ')})` : ''}`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    ca.cleanup();
    rmSync(WORK_DIR, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
