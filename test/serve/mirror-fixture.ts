/**
 * A writer and its mirror, for the mirror's tests: a test Hub, an hfsched
 * database whose cache the real `hfsched pull` fills from it, and the mirror
 * (src/serve/) serving that database and cache on a loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startMirror, type Mirror, type MirrorSettings } from '../../src/serve/mirror-server.js';
import { CLI_PATH, runCli } from '../support/cli.js';
import { startHubServer, type HubRepoSpec, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub, type TempDatabase } from '../support/temp-db.js';

export interface MirrorFixture {
  hub: HubServer;
  db: TempDatabase;
  /** The writer's cache, which the mirror serves. */
  cacheDir: string;
  mirror: Mirror;
  registry: Registry;
  /** What the mirror reads at each request; a test may change it. */
  settings: MirrorSettings;
  /** `hfsched pull` into the writer's cache; throws with the CLI's output when it fails. */
  pull(args: string[]): Promise<void>;
  /** A folder for a client's own cache. */
  clientCache(name: string): string;
  cleanup(): Promise<void>;
}

export async function createMirrorFixture(
  repos: HubRepoSpec[],
  options: { treePageSize?: number } = {},
): Promise<MirrorFixture> {
  const hub = await startHubServer({ repos });
  const db = createTempDatabase();
  const cacheDir = useTestHub(db, hub.url);
  const settings: MirrorSettings = { cacheDir, expose: [], tokensFile: null };
  const registry = new Registry();
  const problems: unknown[] = [];
  const mirror = await startMirror({
    host: '127.0.0.1',
    port: 0,
    store: db.store,
    settings: () => settings,
    registry,
    serveMetrics: true,
    onProblem: (message, error) => problems.push(error ?? message),
    ...(options.treePageSize === undefined ? {} : { treePageSize: options.treePageSize }),
  });
  return {
    hub,
    db,
    cacheDir,
    mirror,
    registry,
    settings,
    async pull(args) {
      const result = await runCli(['pull', ...args], { dbPath: db.dbPath, timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`hfsched pull ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
    },
    clientCache: (name) => join(db.dir, `client-${name}`),
    async cleanup() {
      await mirror.close();
      await hub.close();
      db.cleanup();
      if (problems.length > 0) throw new Error(`the mirror reported problems: ${problems.map(String).join('; ')}`);
    },
  };
}

/** Starts `hfsched serve` on a free loopback port and resolves with its URL, read from its start line. */
export async function startServe(db: TempDatabase): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI_PATH, '--db', db.dbPath, 'serve', '--listen', '127.0.0.1:0'], {
    env: { PATH: process.env.PATH ?? '', HOME: db.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*serving the cache as a Hub mirror/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`hfsched serve exited (${code}): ${output}`)));
  });
  return { child, url };
}
