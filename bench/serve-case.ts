/**
 * The serve case of `npm run bench`: `hfsched serve` sending a large file
 * (the bench's (a) file, 1 GiB by default) from its cache to 1 client, to 8
 * at once and to 32 at once (curl, each reading the whole file), against
 * nginx (sendfile on, one worker) serving the same file in the same run.
 * For each server: MB/s (all bytes over the wall time of the batch), its CPU
 * seconds per GiB sent and its peak RSS during the batch, from /proc (Linux):
 * utime + stime of the server process, and VmHWM after resetting it
 * (clear_refs) before each batch. Each batch runs HFSCHED_BENCH_RUNS times
 * (default 3), the servers alternating; the median MB/s and CPU-s and the
 * highest peak RSS are reported.
 * Targets (issue: the mirror): >= 0.8x nginx's MB/s; peak RSS <= 150 MiB with 32.
 *
 * Run alone: `npm run build && node dist/bench/serve-case.js [size MiB]`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTING_DEFAULTS } from '../src/config/setting-table.js';
import { initializeDatabase, openStore } from '../src/store/index.js';
import { findTool } from './clients.js';
import { writeLargeFile, type LargeFile } from './workload.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const CLI_PATH = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CLIENT_COUNTS = [1, 8, 32] as const;
const RUNS = Math.max(1, Number.parseInt(process.env['HFSCHED_BENCH_RUNS'] ?? '3', 10) || 3);
export const SERVE_TARGETS = { throughputVsNginx: 0.8, peakRssMib: 150, rssConnections: 32 };

export interface ServeBatch {
  server: 'hfsched serve' | 'nginx';
  clients: number;
  mbPerSecond: number;
  cpuSecondsPerGib: number;
  peakRssMib: number;
}

interface Server {
  name: ServeBatch['server'];
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid: number): number {
  // /proc/PID/stat: the command may hold spaces; fields after ")" are 3.. (utime is 14, stime 15).
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function peakRssMib(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function resetPeakRss(pid: number): void {
  // "5" resets the peak RSS (VmHWM) to the current RSS (proc(5), since Linux 4.0).
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** A writer's database and cache holding the file as a completed model, for `hfsched serve`. */
function prepareMirror(folder: string, file: LargeFile): { dbPath: string; blobsDir: string; path: string } {
  const cacheDir = join(folder, 'cache');
  const blobsDir = join(cacheDir, 'models--bench--serve', 'blobs');
  mkdirSync(blobsDir, { recursive: true });
  linkSync(file.path, join(blobsDir, file.sha256));
  const dbPath = join(folder, 'hfsched.db');
  initializeDatabase(dbPath, SETTING_DEFAULTS);
  const store = openStore(dbPath);
  try {
    store.config.set('hub.cache_dir', cacheDir);
    const model = store.models.create({ name: 'bench/serve' });
    const session = store.downloads.begin({ modelId: model.id, scheduleId: null });
    store.downloads.complete(session.id, {
      downloadPath: join(cacheDir, 'models--bench--serve', 'snapshots', 'a'.repeat(40)),
      sizeBytes: file.size,
      commit: 'a'.repeat(40),
      files: [{ path: 'model.safetensors', hashKind: 'sha256', hash: file.sha256, size: file.size }],
    });
  } finally {
    store.close();
  }
  return { dbPath, blobsDir, path: '/bench/serve/resolve/main/model.safetensors' };
}

async function startMirror(dbPath: string, urlPath: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI_PATH, '--db', dbPath, 'serve', '--listen', '127.0.0.1:0'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*serving the cache/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`hfsched serve exited (${code}): ${output}`)));
  });
  return { name: 'hfsched serve', pid: child.pid!, url: url + urlPath, stop: () => stopChild(child) };
}

async function startNginx(nginx: string, folder: string, blobsDir: string, sha256: string): Promise<Server> {
  const port = await freePort();
  const prefix = join(folder, 'nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\nmaster_process off;\npid ${join(prefix, 'nginx.pid')};\nerror_log ${join(prefix, 'logs', 'error.log')};\n` +
      `events { worker_connections 1024; }\n` +
      `http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  types { application/octet-stream safetensors; }\n` +
      `  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;\n` +
      `  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;\n` +
      `  server { listen 127.0.0.1:${port}; root ${blobsDir}; }\n}\n`,
  );
  const child = spawn(nginx, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}/${sha256}`;
  // Ready when it answers.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    try {
      const answer = await fetch(url, { method: 'HEAD' });
      if (answer.ok) break;
    } catch {
      // Not listening yet.
    }
    if (attempt > 100) throw new Error(`nginx did not answer on ${url}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { name: 'nginx', pid: child.pid!, url, stop: () => stopChild(child) };
}

/**
 * One curl reading the whole file: its "-w" line (bytes received, HTTP status,
 * curl's exit code) and its error text. Waits for "close", not "exit": a
 * child may exit before its stdout is read, and a batch of 32 read "" for
 * some clients that had received every byte.
 */
async function curlOnce(curl: string, url: string): Promise<string> {
  const child = spawn(curl, ['-sS', '-o', '/dev/null', '-w', '%{size_download} %{http_code} %{exitcode}', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const [code] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return errors === '' && code === 0 ? text : `${text} (curl exited ${code}: ${errors.trim()})`;
}

/** `clients` curl processes reading the whole file at once; all must receive `size` bytes. */
async function batch(curl: string, server: Server, clients: number, size: number): Promise<ServeBatch> {
  resetPeakRss(server.pid);
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: clients }, () => curlOnce(curl, server.url)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const failed = results.filter((result) => result !== `${size} 200 0`);
  if (failed.length > 0) {
    throw new Error(
      `${server.name}: ${failed.length} of ${clients} clients got "${failed[0]}" (bytes, status, curl exit), not ${size} bytes`,
    );
  }
  const bytes = size * clients;
  return {
    server: server.name,
    clients,
    mbPerSecond: bytes / seconds / 1e6,
    cpuSecondsPerGib: cpu / (bytes / GIB),
    peakRssMib: peakRssMib(server.pid),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The runs of one server at one client count as one figure: median MB/s and CPU-s, highest peak RSS. */
function summarize(runs: ServeBatch[]): ServeBatch {
  return {
    server: runs[0]!.server,
    clients: runs[0]!.clients,
    mbPerSecond: median(runs.map((run) => run.mbPerSecond)),
    cpuSecondsPerGib: median(runs.map((run) => run.cpuSecondsPerGib)),
    peakRssMib: Math.max(...runs.map((run) => run.peakRssMib)),
  };
}

export interface ServeCaseResult {
  batches: ServeBatch[];
  /** Lines for the report, the targets' verdicts included. */
  lines: string[];
}

/**
 * Runs the case in `folder` with `file` (both removed by the caller), or
 * returns why it cannot (no curl or nginx, not Linux).
 */
export async function runServeCase(folder: string, file: LargeFile): Promise<ServeCaseResult> {
  const curl = findTool('curl');
  // apt puts nginx in /usr/sbin, which a user's PATH may lack.
  const nginx = findTool('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
  if (curl === null) return { batches: [], lines: ['serve case skipped: curl is not installed'] };
  if (nginx === null || !existsSync('/proc/self/status')) {
    return { batches: [], lines: ['serve case skipped: nginx (the reference) is not installed, or /proc is missing'] };
  }
  mkdirSync(folder, { recursive: true });
  const mirrorFiles = prepareMirror(folder, file);
  const servers: Server[] = [];
  const batches: ServeBatch[] = [];
  try {
    // Each started inside the try: one that fails to start does not leave the other running.
    servers.push(await startNginx(nginx, folder, mirrorFiles.blobsDir, file.sha256));
    servers.push(await startMirror(mirrorFiles.dbPath, mirrorFiles.path));
    // Alternating servers at each client count, so both meet the machine in the same state.
    for (const clients of CLIENT_COUNTS) {
      for (const server of servers) {
        const runs: ServeBatch[] = [];
        for (let run = 0; run < RUNS; run++) runs.push(await batch(curl, server, clients, file.size));
        batches.push(summarize(runs));
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  return { batches, lines: describe(batches, file.size) };
}

function describe(batches: ServeBatch[], size: number): string[] {
  const lines = [
    `serve case: a ${size / MIB} MiB file from the cache to N curl clients at once (each reads it whole), hfsched serve vs nginx (sendfile, 1 worker); median of ${RUNS} runs alternated, highest peak RSS:`,
  ];
  const figures = (entry: ServeBatch): string =>
    `${entry.mbPerSecond.toFixed(0)} MB/s, ${entry.cpuSecondsPerGib.toFixed(2)} CPU-s per GiB, peak RSS ${entry.peakRssMib.toFixed(0)} MiB`;
  for (const clients of CLIENT_COUNTS) {
    const ours = batches.find((b) => b.server === 'hfsched serve' && b.clients === clients);
    const reference = batches.find((b) => b.server === 'nginx' && b.clients === clients);
    if (ours === undefined || reference === undefined) continue;
    const ratio = ours.mbPerSecond / reference.mbPerSecond;
    const met = ratio >= SERVE_TARGETS.throughputVsNginx ? 'met' : 'NOT met';
    lines.push(
      `  ${clients} client(s): hfsched serve ${figures(ours)}; nginx ${figures(reference)}; ` +
        `${ratio.toFixed(2)}x nginx's MB/s (target >= ${SERVE_TARGETS.throughputVsNginx}x: ${met})`,
    );
  }
  const rss = batches.find((b) => b.server === 'hfsched serve' && b.clients === SERVE_TARGETS.rssConnections);
  if (rss !== undefined) {
    lines.push(
      `  target peak RSS <= ${SERVE_TARGETS.peakRssMib} MiB with ${SERVE_TARGETS.rssConnections} connections: ${rss.peakRssMib.toFixed(0)} MiB, ${rss.peakRssMib <= SERVE_TARGETS.peakRssMib ? 'met' : 'NOT met'}`,
    );
  }
  return lines;
}

/** Alone: a fresh file of the given size (MiB, default 1024) on tmpfs. */
async function main(): Promise<void> {
  const sizeMib = Number(process.argv[2] ?? '1024');
  const folder = join(process.env['HFSCHED_BENCH_DIR'] ?? '/dev/shm/hfsched-bench-serve', 'serve');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  try {
    const file = writeLargeFile(join(folder, 'large.bin'), sizeMib * MIB);
    const result = await runServeCase(join(folder, 'case'), file);
    process.stdout.write(`${result.lines.join('\n')}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`serve case failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
