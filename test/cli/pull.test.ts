import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH, runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const MiB = 1024 * 1024;
const weights = Buffer.alloc(6 * MiB);
for (let i = 0; i < weights.length; i += 4) weights.writeUInt32LE((i * 2654435761) >>> 0, i);

describe('hfsched pull', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const env = (): Record<string, string> => ({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir });
  const pull = (args: string[]) => runCli(['pull', ...args], { dbPath: db.dbPath, env: env() });

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/model',
          revisions: {
            main: [
              { path: 'config.json', content: '{"hidden_size": 8}' },
              { path: 'model.safetensors', content: weights },
            ],
            'v1.0': [{ path: 'config.json', content: '{"hidden_size": 4}' }],
          },
        },
      ],
    });
    db = createTempDatabase();
    cacheDir = join(db.dir, 'cache');
    db.store.config.set('download.min_free_bytes', '0');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  /** Starts `hfsched pull` and returns the child, for tests that signal it. */
  function startPull(args: string[]): {
    child: ChildProcess;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  } {
    const child = spawn(process.execPath, [CLI_PATH, '--db', db.dbPath, 'pull', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: db.dir, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stderr })),
    );
    return { child, exited };
  }

  /** Waits until the test Hub has sent at least `bytes` of the weights. */
  async function waitForBytesSent(bytes: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const sent = hub.requests.filter((r) => r.host === 'cdn').reduce((sum, r) => sum + r.bodyBytesSent, 0);
      if (sent >= bytes) return;
      await sleep(20);
    }
    throw new Error(`the test Hub never sent ${bytes} bytes`);
  }

  test('pull adds the model, downloads it, prints the snapshot path and records a completed session', async () => {
    const result = await pull(['org/model']);
    assert.equal(result.code, 0, result.stderr);
    const commit = hub.commitOf('org/model', 'main');
    const snapshot = join(cacheDir, 'models--org--model', 'snapshots', commit);
    assert.equal(result.stdout, `${snapshot}\n`);
    assert.match(result.stderr, /added model org\/model \(id \d+\)/);
    assert.match(result.stderr, /^downloaded {2}config\.json {2}\(18 B\)$/m);
    assert.match(result.stderr, /^downloaded {2}model\.safetensors {2}\(6\.0 MiB\)$/m);
    assert.match(
      result.stderr,
      new RegExp(
        `^Downloaded org/model at commit ${commit.slice(0, 12)}: 2 files, 6\\.0 MiB \\(6\\.0 MiB fetched\\) in \\d+s$`,
        'm',
      ),
    );
    assert.deepEqual(readFileSync(join(snapshot, 'model.safetensors')), weights);
    // The check of the new repository and the download share one HubRuntime: its listing reuses the check's connection.
    const [check, listing] = hub.requests.filter((request) => request.host === 'hub');
    assert.match(check!.path, /\/revision\/main$/);
    assert.match(listing!.path, /\/revision\/main\?blobs=true$/);
    assert.deepEqual([check!.connection, listing!.connection], [1, 1]);

    const model = db.store.models.byName('org/model')!;
    assert.equal(model.status, 'completed');
    assert.equal(model.downloadPath, snapshot);
    const [session] = db.store.downloads.history(model.id);
    assert.equal(session!.status, 'completed');
    assert.equal(session!.scheduleId, null);
  });

  test('pull uses the revision and patterns stored with the model', async () => {
    db.store.models.create({ name: 'org/model', revision: 'v1.0', includePatterns: ['*.json'] });
    const result = await pull(['org/model']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout.trim(),
      join(cacheDir, 'models--org--model', 'snapshots', hub.commitOf('org/model', 'v1.0')),
    );
  });

  test('pull options apply to that pull without changing the stored model', async () => {
    db.store.models.create({ name: 'org/model', revision: 'v1.0' });
    const result = await pull(['org/model', '--revision', 'main', '--exclude', '*.safetensors']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /: 1 file, /);
    assert.equal(db.store.models.byName('org/model')!.revision, 'v1.0');
  });

  test('a pull of a repository the Hub does not have exits 1 with a one-line error and leaves no model behind', async () => {
    const result = await pull(['org/nothing-here']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim().split('\n').at(-1),
      'hfsched: repository "org/nothing-here" not found, or private: check the name, or set HF_TOKEN',
    );
    assert.equal(db.store.models.byName('org/nothing-here'), null);
  });

  test('a failed pull of a listed model records the failure', async () => {
    const listed = db.store.models.create({ name: 'org/nothing-here' });
    const result = await pull(['org/nothing-here']);
    assert.equal(result.code, 1);
    assert.equal(db.store.models.get(listed.id)?.status, 'failed');
    assert.equal(db.store.downloads.history(listed.id)[0]!.status, 'failed');
  });

  test('a pull that has to retry says why and when', async () => {
    // Listed already, so the pull's only revision call is the download's (a new repository is checked once first).
    db.store.models.create({ name: 'org/model', includePatterns: ['*.json'] });
    hub.addFault({ kind: 'status', pathContains: '/api/models/', status: 503, times: 1 });
    const result = await pull(['org/model', '--include', '*.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^resolving "org\/model" at revision "main": 127\.0\.0\.1:\d+ answered 503; retry 1\/5 in [01]s$/m,
    );
  });

  test('the token comes from HF_TOKEN and opens a private repository', async () => {
    hub.addRepo({ id: 'org/private', private: true, revisions: { main: [{ path: 'a.txt', content: 'a' }] } });
    const result = await runCli(['pull', 'org/private'], {
      dbPath: db.dbPath,
      env: { ...env(), HF_TOKEN: ` ${hub.token}\n` },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stderr.includes(hub.token), 'the token is never printed');
  });

  test('Ctrl-C pauses the pull: exit 130, session cancelled, model paused', async () => {
    hub.addFault({ kind: 'throttle', bytesPerSecond: 2 * MiB, pathContains: '.safetensors' });
    const { child, exited } = startPull(['org/model']);
    await waitForBytesSent(1 * MiB);
    child.kill('SIGINT');
    const { code, stderr } = await exited;
    assert.equal(code, 130, stderr);
    assert.match(
      stderr,
      /Paused org\/model \(interrupted by Ctrl-C\): partial files are kept; run the same command to resume\./,
    );
    const model = db.store.models.byName('org/model')!;
    assert.equal(model.status, 'paused');
    const [session] = db.store.downloads.history(model.id);
    assert.equal(session!.status, 'cancelled');
    assert.equal(session!.errorMessage, 'interrupted by Ctrl-C');
  });

  test('SIGTERM pauses the pull too, with exit status 143', async () => {
    hub.addFault({ kind: 'throttle', bytesPerSecond: 2 * MiB, pathContains: '.safetensors' });
    const { child, exited } = startPull(['org/model']);
    await waitForBytesSent(1 * MiB);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    assert.equal(code, 143, stderr);
    const [session] = db.store.downloads.history(db.store.models.byName('org/model')!.id);
    assert.equal(session!.status, 'cancelled');
    assert.equal(session!.errorMessage, 'stopped by SIGTERM');
  });

  test('a pull killed mid-file resumes from its partial file on the next pull', async () => {
    hub.addFault({ kind: 'throttle', bytesPerSecond: 3 * MiB, pathContains: '.safetensors' });
    const { child, exited } = startPull(['org/model']);
    await waitForBytesSent(3 * MiB);
    child.kill('SIGKILL');
    await exited;
    hub.clearFaults();
    const firstRun = hub.requests.filter((r) => r.host === 'cdn').reduce((sum, r) => sum + r.bodyBytesSent, 0);
    hub.clearLog();

    const result = await pull(['org/model']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /the previous download of org\/model \(pid \d+\) was interrupted; resuming it/);
    const resumed = hub.requests.filter((r) => r.host === 'cdn');
    assert.equal(resumed.length, 1);
    const offset = Number(/^bytes=(\d+)-$/.exec(resumed[0]!.range ?? '')?.[1]);
    assert.ok(offset > 0, `resumed with ${resumed[0]!.range}`);
    const total = firstRun + resumed[0]!.bodyBytesSent;
    assert.ok(
      total >= weights.length && total <= weights.length + 2 * MiB,
      `${total} bytes served for ${weights.length}`,
    );
    const commit = hub.commitOf('org/model', 'main');
    assert.deepEqual(
      readFileSync(join(cacheDir, 'models--org--model', 'snapshots', commit, 'model.safetensors')),
      weights,
    );

    const sessions = db.store.downloads.history(db.store.models.byName('org/model')!.id);
    assert.deepEqual(
      sessions.map((s) => [s.status, s.errorMessage]),
      [
        ['completed', null],
        ['failed', 'interrupted'],
      ],
    );
  });
});
