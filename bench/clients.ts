/**
 * The downloaders the benchmark compares, each run as a child process under
 * GNU time into a fresh folder that is removed afterwards: `hfsched pull`
 * (the real CLI, with its own database and Hugging Face cache), curl and
 * aria2c. Each run checks that it got every byte before it counts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { measure, type Measurement } from './measure.js';

export interface Expected {
  files: number;
  bytes: number;
}

/** Finds an executable on PATH, or null. */
export function findTool(name: string): string | null {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(folder, name);
    if (folder !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

/** The environment without anything that could point a client at another Hub, cache or token. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(HF_|HUGGING_FACE_|HFSCHED_|CREDENTIALS_DIRECTORY$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Regular files under `folder`, and links to them (folder links not followed): count and total size. */
function filesUnder(folder: string): Expected {
  const total: Expected = { files: 0, bytes: 0 };
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const inner = filesUnder(path);
      total.files += inner.files;
      total.bytes += inner.bytes;
    } else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) {
      // A blob may be a link into huggingface_hub's shared blob store (src/hub/cache/shared-blobs.ts).
      total.files++;
      total.bytes += statSync(path).size;
    }
  }
  return total;
}

function checkComplete(tool: string, got: Expected, expected: Expected): void {
  if (got.files !== expected.files || got.bytes !== expected.bytes) {
    throw new Error(
      `${tool} left ${got.files} files / ${got.bytes} bytes, expected ${expected.files} / ${expected.bytes}`,
    );
  }
}

/** A repository of one small file, which the bench Hub always serves: what the start-up measurement pulls. */
export const TINY_REPO = 'bench/tiny';

/** The tool name of the write-only line of (a) and (e) (see plainWrite), which targets.ts looks for. */
export const PLAIN_WRITE = 'dd bs=1M, the same bytes written with no download';

/** The tool name of (e)'s curl held to hfsched's rate (see run.ts), which targets.ts looks for. */
export const CURL_AT_HFSCHED_RATE = "curl --limit-rate at hfsched's rate on this file in the same round";

/** The tool name of (c)'s Node floor line (see nodeFloor), which targets.ts looks for. */
export const NODE_FLOOR = 'Node floor: keep-alive sockets, sha256, write and rename, nothing else';

/** Both aria2c runs: space reserved with fallocate, no renaming or prompts, quiet. */
const ARIA2C_OPTIONS = [
  '--file-allocation=falloc',
  '--allow-overwrite=true',
  '--auto-file-renaming=false',
  '--quiet=true',
];

export class BenchClients {
  /**
   * `caPath`: the CA that signed the Hub's certificate (an https Hub), which
   * every client is told to trust its own way; null for plain http.
   */
  constructor(
    private readonly workDir: string,
    private readonly cliPath: string,
    private readonly hubUrl: string,
    private readonly caPath: string | null,
  ) {}

  /** The same clients against another URL of the Hub (its plain-http twin), trusting no extra CA. */
  over(hubUrl: string, caPath: string | null): BenchClients {
    return new BenchClients(this.workDir, this.cliPath, hubUrl, caPath);
  }

  /** curl's and aria2c's option for the CA, none over http. */
  private caOption(flag: string): string[] {
    return this.caPath === null ? [] : [flag, this.caPath];
  }

  private freshFolder(tool: string): string {
    return mkdtempSync(join(this.workDir, `${tool}-`));
  }

  /** `hfsched pull` with a fresh database whose settings are `settings`, into a fresh cache. */
  async hfschedPull(
    repoId: string,
    settings: Record<string, string>,
    expected: Expected,
    nodeOptions: string[] = [],
  ): Promise<Measurement> {
    const folder = this.freshFolder('hfsched');
    try {
      const db = join(folder, 'hfsched.db');
      const cache = join(folder, 'hub');
      const env = cleanEnv({
        HF_ENDPOINT: this.hubUrl,
        HF_HUB_CACHE: cache,
        HF_HOME: join(folder, 'hf-home'),
      });
      const cli = (...args: string[]): void => {
        execFileSync(process.execPath, [this.cliPath, '--db', db, ...args], {
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      };
      cli('init');
      // The CA of an https Hub, as a user points hfsched at a private one (docs/proxies.md).
      const all = this.caPath === null ? settings : { 'hub.ca_bundle': this.caPath, ...settings };
      for (const [key, value] of Object.entries(all)) cli('config', 'set', key, value);
      const measured = await measure(process.execPath, [...nodeOptions, this.cliPath, '--db', db, 'pull', repoId], env);
      checkComplete('hfsched pull', filesUnder(join(cache, `models--${repoId.replace('/', '--')}`, 'blobs')), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * Start-up: `hfsched pull` of a one-file repository `runs` times, each with
   * a fresh database and cache; `firstRequestAt` gives when the Hub saw the
   * run's first request (ms since the epoch). Returns the seconds from the
   * exec to that request, one per run.
   */
  async pullStartups(repoId: string, runs: number, firstRequestAt: () => Promise<number | null>): Promise<number[]> {
    const seconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const folder = this.freshFolder('hfsched-start');
      try {
        const db = join(folder, 'hfsched.db');
        const env = cleanEnv({ HF_ENDPOINT: this.hubUrl, HF_HUB_CACHE: join(folder, 'hub'), HF_HOME: folder });
        const cli = (...args: string[]): void => {
          execFileSync(process.execPath, [this.cliPath, '--db', db, ...args], {
            env,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
        };
        cli('init');
        if (this.caPath !== null) cli('config', 'set', 'hub.ca_bundle', this.caPath);
        await firstRequestAt(); // forget the requests before
        const startedAt = performance.timeOrigin + performance.now();
        await new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [this.cliPath, '--db', db, 'pull', repoId], { env, stdio: 'ignore' });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`hfsched pull exited with ${code}`))));
        });
        const at = await firstRequestAt();
        if (at === null) throw new Error('the Hub saw no request from hfsched pull');
        seconds.push((at - startedAt) / 1000);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
    return seconds;
  }

  /** Seconds from exec to exit of `node <args>`, `runs` times (e.g. `hfsched --version`). */
  async execTimes(args: string[], runs: number): Promise<number[]> {
    const seconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const startedAt = performance.now();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, args, { env: cleanEnv({}), stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}`)),
        );
      });
      seconds.push((performance.now() - startedAt) / 1000);
    }
    return seconds;
  }

  /** The official JavaScript client (@huggingface/hub downloadFileToCacheDir) for one file, into a fresh cache. */
  async officialJsClient(repoId: string, path: string, expected: Expected): Promise<Measurement> {
    const folder = this.freshFolder('hf-js');
    try {
      const script = join(dirname(this.cliPath), '..', '..', 'bench', 'official-js-client.js');
      const cache = join(folder, 'hub');
      // Node's fetch trusts the extra CA given at start-up.
      const env = cleanEnv(this.caPath === null ? {} : { NODE_EXTRA_CA_CERTS: this.caPath });
      const measured = await measure(process.execPath, [script, this.hubUrl, repoId, path, cache], env);
      checkComplete(
        '@huggingface/hub',
        filesUnder(join(cache, `models--${repoId.replace('/', '--')}`, 'blobs')),
        expected,
      );
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * One file over one connection, following the LFS redirect; held to
   * `limitBytesPerSecond` when given (curl --limit-rate).
   */
  async curl(curlPath: string, url: string, expected: Expected, limitBytesPerSecond?: number): Promise<Measurement> {
    const folder = this.freshFolder('curl');
    try {
      const limit = limitBytesPerSecond === undefined ? [] : ['--limit-rate', String(Math.round(limitBytesPerSecond))];
      const args = ['-sS', '--fail', '-L', ...this.caOption('--cacert'), ...limit, '-o', join(folder, 'file'), url];
      const measured = await measure(curlPath, args, cleanEnv({}));
      checkComplete('curl', filesUnder(folder), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * hash-offload.ts: one file over one connection read as the engine reads
   * it, sha256 computed inline or on a worker thread (`mode`).
   */
  async hashOffload(url: string, mode: 'inline' | 'worker', sha256: string, expected: Expected): Promise<Measurement> {
    const folder = this.freshFolder(`hash-${mode}`);
    try {
      const script = join(dirname(this.cliPath), '..', '..', 'bench', 'hash-offload.js');
      const args = [script, url, join(folder, 'file'), mode, sha256, ...(this.caPath === null ? [] : [this.caPath])];
      const measured = await measure(process.execPath, args, cleanEnv({}));
      checkComplete(`hash-offload ${mode}`, filesUnder(folder), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * No download: dd writes as many bytes (zeros, 1 MiB at a time) into the
   * same folder. What the kernel charges here for the writes alone, at that
   * moment: on a VM it grows with the size written (see docs/performance.md).
   */
  async plainWrite(ddPath: string, expected: Expected): Promise<Measurement> {
    const folder = this.freshFolder('dd');
    try {
      const blocks = String(Math.ceil(expected.bytes / (1024 * 1024)));
      const args = ['if=/dev/zero', `of=${join(folder, 'file')}`, 'bs=1M', `count=${blocks}`, 'status=none'];
      const measured = await measure(ddPath, args, cleanEnv({}));
      checkComplete('dd', filesUnder(folder), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * A tool that fetches many files, listed in a file it reads, into a fresh
   * `out` folder: writes the list (its text may name paths under `out`), runs
   * the command under GNU time and checks that every byte arrived.
   */
  private async fetchMany(
    tool: string,
    list: { name: string; text: (out: string) => string },
    command: (out: string, listPath: string) => { path: string; args: string[] },
    expected: Expected,
  ): Promise<Measurement> {
    const folder = this.freshFolder(tool.replace(/\W+/g, '-'));
    try {
      const out = join(folder, 'out');
      mkdirSync(out);
      const listPath = join(folder, list.name);
      writeFileSync(listPath, list.text(out));
      const { path, args } = command(out, listPath);
      const measured = await measure(path, args, cleanEnv({}));
      checkComplete(tool, filesUnder(out), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /** Many files with `curl --parallel`, `parallel` transfers at a time, one process. */
  curlParallel(
    curlPath: string,
    files: { url: string; path: string }[],
    parallel: number,
    expected: Expected,
  ): Promise<Measurement> {
    // A curl config file: one url/output pair per file (curl's "-K" format).
    const list = {
      name: 'urls.curlrc',
      text: (out: string) => files.map((f) => `url = "${f.url}"\noutput = "${join(out, f.path)}"\n`).join(''),
    };
    return this.fetchMany(
      'curl --parallel',
      list,
      (_out, config) => ({
        path: curlPath,
        args: [
          '-sS',
          '--fail',
          '-L',
          ...this.caOption('--cacert'),
          '--create-dirs',
          '--parallel',
          '--parallel-max',
          String(parallel),
          '-K',
          config,
        ],
      }),
      expected,
    );
  }

  /** The same files with bench/node-floor.ts, the least a Node program does for them, `parallel` sockets. */
  nodeFloor(files: { url: string; path: string }[], parallel: number, expected: Expected): Promise<Measurement> {
    const script = join(dirname(this.cliPath), '..', '..', 'bench', 'node-floor.js');
    return this.fetchMany(
      'Node floor',
      { name: 'files.json', text: () => JSON.stringify(files) },
      (out, list) => ({
        path: process.execPath,
        args: [script, list, out, String(parallel), ...(this.caPath === null ? [] : [this.caPath])],
      }),
      expected,
    );
  }

  /** Many files, `jobs` at a time (aria2c -j), from an input file of URLs and names. */
  aria2cMany(
    aria2Path: string,
    files: { url: string; path: string }[],
    jobs: number,
    expected: Expected,
  ): Promise<Measurement> {
    // aria2c's input file: a URL per line, then its options indented.
    const list = { name: 'urls.txt', text: () => files.map((f) => `${f.url}\n  out=${f.path}\n`).join('') };
    return this.fetchMany(
      'aria2c -j',
      list,
      (out, input) => ({
        path: aria2Path,
        args: [`-j${jobs}`, ...ARIA2C_OPTIONS, ...this.caOption('--ca-certificate'), '-d', out, '-i', input],
      }),
      expected,
    );
  }

  /** One file over `connections` connections (aria2c -x N -s N), space reserved with fallocate. */
  async aria2c(aria2Path: string, url: string, connections: number, expected: Expected): Promise<Measurement> {
    const folder = this.freshFolder('aria2c');
    try {
      const args = [
        `-x${connections}`,
        `-s${connections}`,
        ...ARIA2C_OPTIONS,
        ...this.caOption('--ca-certificate'),
        '-d',
        folder,
        '-o',
        'file',
        url,
      ];
      const measured = await measure(aria2Path, args, cleanEnv({}));
      checkComplete('aria2c', filesUnder(folder), expected);
      return measured;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}
