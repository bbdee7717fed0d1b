/**
 * A fleet on one machine: a writer pulls from the test Hub (whose LFS files
 * are Xet-backed, with X-Xet-Hash and xet Links, as the Hub's are) and serves
 * its cache with `hfsched serve`; three node agents, each with its own
 * database and cache and `hub.endpoint` at the mirror, pull through it. The
 * test Hub sends each blob once in all, and every agent's cache verifies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub, type TempDatabase } from '../support/temp-db.js';
import { startServe } from './mirror-fixture.js';

const MiB = 1024 * 1024;
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(((i + seed) * 2654435761) >>> 0, i);
  return bytes;
}
const files = [
  { path: 'config.json', content: '{"model_type": "fleet"}' },
  { path: 'model-00001-of-00002.safetensors', content: pattern(3 * MiB, 1) },
  { path: 'model-00002-of-00002.safetensors', content: pattern(2 * MiB, 2) },
  {
    path: 'tokenizer/tokenizer.json',
    content: JSON.stringify({ vocab: Array.from({ length: 2000 }, (_, i) => `t${i}`) }),
  },
];
const totalBytes = files.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0);

let hub: HubServer;
let writer: TempDatabase;
let serve: ChildProcess;
let mirrorUrl: string;
const agents: TempDatabase[] = [];

before(async () => {
  hub = await startHubServer({ repos: [{ id: 'org/fleet', revisions: { main: files } }] });
  writer = createTempDatabase();
  useTestHub(writer, hub.url);
  const pulled = await runCli(['pull', 'org/fleet'], { dbPath: writer.dbPath, timeoutMs: 60_000 });
  assert.equal(pulled.code, 0, pulled.stderr);
  ({ child: serve, url: mirrorUrl } = await startServe(writer));
  for (let i = 0; i < 3; i++) {
    const agent = createTempDatabase();
    useTestHub(agent, mirrorUrl);
    agents.push(agent);
  }
});

after(async () => {
  if (serve.exitCode === null) {
    serve.kill('SIGKILL');
    await once(serve, 'exit');
  }
  for (const agent of agents) agent.cleanup();
  writer.cleanup();
  await hub.close();
});

test("the test Hub answers the writer's LFS files with Xet headers, as the Hub does; the mirror with none", async () => {
  const path = 'model-00001-of-00002.safetensors';
  const fromHub = await fetch(hub.resolveUrl('org/fleet', 'main', path), { method: 'HEAD', redirect: 'manual' });
  assert.notEqual(fromHub.headers.get('x-xet-hash'), null);
  const fromMirror = await fetch(`${mirrorUrl}/org/fleet/resolve/main/${path}`, { method: 'HEAD' });
  assert.equal(fromMirror.status, 200);
  assert.deepEqual(
    [...fromMirror.headers.keys()].filter((name) => /xet/i.test(name)),
    [],
  );
  assert.doesNotMatch(fromMirror.headers.get('link') ?? '', /xet/);
});

test('three agents pull through the mirror: the Hub sends each blob once in all, and every agent verifies', async () => {
  const sentBefore = hub.requests.length;
  const pulls = await Promise.all(
    agents.map((agent) => runCli(['pull', 'org/fleet'], { dbPath: agent.dbPath, timeoutMs: 60_000 })),
  );
  for (const result of pulls) assert.equal(result.code, 0, result.stderr);
  // Nothing reached the Hub while the agents pulled: the mirror is offline.
  assert.equal(hub.requests.length, sentBefore);
  // Over the whole run, the Hub's file bodies add up to one copy of each file.
  const bodies = hub.requests.filter((request) => request.status === 200 || request.status === 206);
  const fileBodies = bodies.filter((request) => request.host === 'cdn' || request.path.includes('/resolve/'));
  assert.equal(
    fileBodies.reduce((sum, request) => sum + request.bodyBytesSent, 0),
    totalBytes,
  );
  for (const file of files) {
    const info = hub.fileInfo('org/fleet', 'main', file.path);
    const key = info.lfs ? info.sha256 : encodeURI(file.path);
    const sent = fileBodies
      .filter((request) => request.path.includes(key))
      .reduce((sum, r) => sum + r.bodyBytesSent, 0);
    assert.equal(sent, info.size, file.path);
  }
  for (const agent of agents) {
    const verified = await runCli(['verify'], { dbPath: agent.dbPath });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /org\/fleet/);
  }
});

test('status shows the mirror serving, where, with its requests and bytes; SIGTERM stops it cleanly', async () => {
  interface Status {
    mirrors: { url: string; requests: number; bytesSent: number }[];
  }
  const status = async (): Promise<Status> =>
    parseJsonOutput<Status>(await runCli(['status', '--json'], { dbPath: writer.dbPath }));
  // The mirror publishes its totals every few seconds: wait for the ones covering the three pulls.
  const deadline = Date.now() + 20_000;
  let mirrors = (await status()).mirrors;
  while (!(mirrors[0] !== undefined && mirrors[0].bytesSent >= 3 * totalBytes) && Date.now() < deadline) {
    await sleep(250);
    mirrors = (await status()).mirrors;
  }
  assert.equal(mirrors.length, 1);
  assert.equal(mirrors[0]!.url, mirrorUrl);
  assert.ok(mirrors[0]!.requests >= 3 * files.length, `${mirrors[0]!.requests} requests`);
  assert.ok(mirrors[0]!.bytesSent >= 3 * totalBytes, `${mirrors[0]!.bytesSent} bytes`);
  const text = await runCli(['status'], { dbPath: writer.dbPath });
  assert.match(text.stdout, new RegExp(`Mirror:\\s+serving at ${mirrorUrl.replace(/\./g, '\\.')}`));

  serve.kill('SIGTERM');
  const [code] = (await once(serve, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.deepEqual((await status()).mirrors, []);
});

test("with the mirror down, an agent's pull fails and leaves its verified cache as it was", async () => {
  const agent = agents[0]!;
  // Its schedule would retry later; one attempt is enough here.
  agent.store.config.set('download.max_retries', '0');
  const result = await runCli(['pull', 'org/fleet', '--revision', 'main'], { dbPath: agent.dbPath, timeoutMs: 60_000 });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ECONNREFUSED/);
  const verified = await runCli(['verify'], { dbPath: agent.dbPath });
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});
