/**
 * `npm run bench`: hfsched pull against reference downloaders, on loopback,
 * against the test Hub in a child process, in one run:
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
 *   the mirror (serve-case.ts): hfsched serve vs nginx sending the (a) file
 *       to 1, 8 and 32 clients at once;
 *   and the cost of fsync, and the idle daemon (extra-measurements.ts).
 * Writes bench/results.md and prints it. Generated files live on tmpfs
 * (/dev/shm/hfsched-bench, else bench/work/) and are removed at the end.
 *
 * Knobs (environment): HFSCHED_BENCH_SIZE_MIB (default 1024), HFSCHED_BENCH_RUNS
 * (default 3), HFSCHED_BENCH_SMALL_FILES (default 2000), HFSCHED_BENCH_DIR,
 * HFSCHED_BENCH_HUGE_MIB (default 5120; 0 skips the case).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClients, CURL_AT_HFSCHED_RATE, findTool, NODE_FLOOR, PLAIN_WRITE, type Expected } from './clients.js';
import { measureFsyncCost, measureIdleDaemon, type IdleDaemon } from './extra-measurements.js';
import { HubChild } from './hub-child.js';
import type { BenchHubConfig, BenchHubStats } from './hub-process.js';
import { gnuTimeAvailable, type Measurement } from './measure.js';
import { renderReport, type BenchReport, type ScenarioResult, type ToolResult } from './report.js';
import { runServeCase } from './serve-case.js';
import { targets } from './targets.js';
import { FILES_TO_START } from '../src/hub/transfer/file-pool.js';
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
/** The files hfsched starts with (it adds more only while they raise the rate); curl --parallel gets the same. */
const SMALL_FILES_PARALLEL = FILES_TO_START;
/** (f): files too small to split (under download.multipart_threshold_bytes), under (b)'s cap. */
const MEDIUM_FILES = 64;
const MEDIUM_FILE_BYTES = 4 * MIB;
/** aria2c's files at a time in (f): hfsched's most (download.concurrent_files). */
const MEDIUM_FILES_PARALLEL = 16;

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
  const loadAverage = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  try {
    say(`generating ${LARGE_BYTES / MIB} MiB and ${LARGE_BYTES / SMALLER_FILE_DIVISOR / MIB} MiB files in ${WORK_DIR}`);
    const large = writeLargeFile(join(WORK_DIR, 'large.bin'), LARGE_BYTES);
    const smaller = writeLargeFile(join(WORK_DIR, 'smaller.bin'), LARGE_BYTES / SMALLER_FILE_DIVISOR);
    const sha256Rate = measureSha256Rate(large);
    // As much as the largest download writes, so that every run finds memory warm.
    const warmUpBytes = Math.max(LARGE_BYTES, HUGE_BYTES);
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
    };
    const largeExpected: Expected = { files: 1, bytes: large.size };
    const smallerExpected: Expected = { files: 1, bytes: smaller.size };
    const scenarios: ScenarioResult[] = [];
    const extra: string[] = [];
    let idleDaemon: IdleDaemon | null = null;
    // Run with (b)'s server, reported after (e).
    let fScenario: ScenarioResult | null = null;

    const hub = await HubChild.start(config);
    try {
      const clients = new BenchClients(WORK_DIR, CLI_PATH, hub.ready.url);
      const largeUrl = `${hub.ready.url}/${LARGE_REPO}/resolve/main/${LARGE_PATH}`;
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
      ];
      await race('(a)', hub, a);
      scenarios.push({
        title: `(a) ${LARGE_BYTES / MIB} MiB file, unthrottled`,
        reference: 'curl',
        tools: a.map((c) => c.result),
      });

      const smallFiles = hub.ready.smallFiles;
      const smallExpected: Expected = {
        files: smallFiles.length,
        bytes: smallFiles.reduce((sum, f) => sum + f.size, 0),
      };
      const urls = smallFiles.map((f) => ({
        url: `${hub.ready.url}/${SMALL_REPO}/resolve/main/${f.path}`,
        path: f.path,
      }));
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
      ];
      await race('(c)', hub, c);
      scenarios.push({
        title: `(c) ${smallFiles.length} files of 4-64 KiB (${(smallExpected.bytes / MIB).toFixed(0)} MiB)`,
        reference: c[1]!.result.tool,
        tools: c.map((x) => x.result),
      });
    } finally {
      await hub.stop();
    }

    const throttled = await HubChild.start({
      ...config,
      medium: { repoId: MEDIUM_REPO, count: MEDIUM_FILES, bytes: MEDIUM_FILE_BYTES },
      throttleBytesPerSecond: THROTTLE_BYTES_PER_SECOND,
    });
    try {
      const clients = new BenchClients(WORK_DIR, CLI_PATH, throttled.ready.url);
      const largeUrl = `${throttled.ready.url}/${LARGE_REPO}/resolve/main/${LARGE_PATH}`;
      const b = [
        contender(
          'hfsched pull, defaults',
          large.size,
          () => clients.hfschedPull(LARGE_REPO, {}, largeExpected),
          cdnNote,
        ),
        aria2c
          ? contender(
              `aria2c -x${THROTTLED_CONNECTIONS} -s${THROTTLED_CONNECTIONS}`,
              large.size,
              () => clients.aria2c(aria2c, largeUrl, THROTTLED_CONNECTIONS, largeExpected),
              cdnNote,
            )
          : skipped('aria2c', 'aria2c not installed (apt-get install -y aria2)'),
      ];
      await race('(b)', throttled, b);
      scenarios.splice(1, 0, {
        title: `(b) same file, server capped at ${THROTTLE_BYTES_PER_SECOND / 1e6} MB/s per connection`,
        reference: b[1]!.result.tool,
        tools: b.map((x) => x.result),
      });

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
        contender(
          `hfsched pull, download.concurrent_files=${FILES_TO_START}`,
          mediumExpected.bytes,
          () =>
            clients.hfschedPull(MEDIUM_REPO, { 'download.concurrent_files': String(FILES_TO_START) }, mediumExpected),
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
      ];
      await race('(f)', throttled, f);
      fScenario = {
        title: `(f) ${MEDIUM_FILES} files of ${MEDIUM_FILE_BYTES / MIB} MiB, the same cap`,
        reference: f[2]!.result.tool,
        tools: f.map((x) => x.result),
      };
    } finally {
      await throttled.stop();
    }

    if (HUGE_BYTES > 0 && freemem() > HUGE_BYTES + 4 * 1024 * MIB) {
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
        const clients = new BenchClients(WORK_DIR, CLI_PATH, hugeHub.ready.url);
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
      } finally {
        await hugeHub.stop();
      }
    } else {
      extra.push(`(e) skipped: HFSCHED_BENCH_HUGE_MIB=0, or less free memory than the file's size for tmpfs`);
    }
    if (fScenario !== null) scenarios.push(fScenario);

    // The mirror (serve-case.ts): the (a) file from a cache to 1, 8 and 32 clients, against nginx.
    say('serve case: hfsched serve and nginx sending the (a) file to 1, 8 and 32 curl clients');
    extra.push(...(await runServeCase(join(WORK_DIR, 'serve'), large)).lines);

    for (const cost of measureFsyncCost([
      { where: 'tmpfs', folder: WORK_DIR },
      { where: 'the repository disk', folder: DISK_DIR },
    ])) {
      extra.push(
        `fsync cost on ${cost.where}: a 32 KiB file written aside and renamed takes ${cost.plainMs.toFixed(3)} ms, ` +
          `${cost.durableMs.toFixed(3)} ms with fsync of each file and one of their folder (what hfsched does for small blobs)`,
      );
    }
    const idle = await measureIdleDaemon(CLI_PATH, join(WORK_DIR, 'idle-daemon'), process.env, IDLE_SECONDS);
    idleDaemon = idle;
    extra.push(
      `idle daemon (one daily schedule, 5 pending models), over ${idle.seconds.toFixed(0)} s after 5 s to settle: ` +
        `${idle.cpuPercent.toFixed(2)} % of one core, ${idle.databaseWrites} database writes ` +
        `(${((idle.databaseWrites / idle.seconds) * 60).toFixed(1)} a minute)`,
    );

    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage,
        tools: [curl ? toolVersion(curl) : 'curl missing', aria2c ? toolVersion(aria2c) : 'aria2c missing'],
      },
      runsPerTool: RUNS,
      sha256MbPerSecond: sha256Rate / 1e6,
      scenarios,
      targets: targets(scenarios, sha256Rate / 1e6, idleDaemon, { large: LARGE_BYTES / MIB, huge: HUGE_BYTES / MIB }),
      extra,
      profileSummary: existsSync(PROFILE_PATH) ? readFileSync(PROFILE_PATH, 'utf8') : null,
      durationSeconds: (performance.now() - startedAt) / 1000,
    };
    const text = renderReport(report);
    writeFileSync(RESULTS_PATH, text);
    process.stdout.write(`${text}\n`);
    say(`wrote ${RESULTS_PATH}`);
  } finally {
    rmSync(WORK_DIR, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
