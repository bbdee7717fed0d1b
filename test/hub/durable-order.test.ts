/**
 * The order of a pull's fsyncs and renames, read from the kernel's side: the
 * real CLI runs under strace(1), which prints every fsync with the path of its
 * file descriptor (-y). What must hold for a power cut to leave no lie behind
 * (docs/performance.md, "Durability"): a blob's bytes are fsynced before its
 * name appears; `blobs/` and each snapshot folder are fsynced after the last
 * name made in them; and `refs/main` moves only after all of that. The files
 * are small (under 1 MiB): each is fetched into memory and named by a rename.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CLI_PATH } from '../support/cli.js';
import { startHubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub } from '../support/temp-db.js';

/** strace is installed and may trace here (a container may forbid ptrace). */
const canTrace = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0;

/** One traced call: its name and the paths it names (arguments, and fds shown as `<path>`). */
interface Call {
  name: string;
  paths: string[];
}

/**
 * The calls that succeeded, in the order they returned. A call another
 * thread interrupted is printed in two lines by strace (`... <unfinished
 * ...>`, then `<... name resumed> ...`): they are joined first.
 */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const unfinished = new Map<string, string>();
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    const split = /^(\d+)\s+(.*) <unfinished \.\.\.>$/.exec(line);
    if (split !== null) {
      unfinished.set(split[1]!, split[2]!);
      continue;
    }
    const resumed = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed !== null) line = `${resumed[1]} ${unfinished.get(resumed[1]!) ?? ''}${resumed[2]}`;
    const match = /^\d+\s+(\w+)\((.*)\)\s+=\s+0$/.exec(line);
    if (match === null) continue;
    const paths = [...match[2]!.matchAll(/"([^"]*)"|<([^>]*)>/g)].map((found) => found[1] ?? found[2]!);
    calls.push({ name: match[1]!, paths });
  }
  return calls;
}

/** Runs the CLI under strace, writing the calls named in `traced` to `tracePath`. */
function traceCli(
  tracePath: string,
  traced: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    'strace',
    ['-f', '-qq', '-y', '-e', `trace=${traced}`, '-o', tracePath, process.execPath, CLI_PATH, ...args],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('a pull fsyncs each blob before naming it, and blobs/ and snapshot folders before the ref moves (strace of the CLI)', async (t) => {
  if (!canTrace) return t.skip('strace is not installed, or may not trace here');
  const hub = await startHubServer({
    repos: [
      {
        id: 'org/model',
        revisions: {
          main: [
            { path: 'config.json', content: '{"a": 1}' },
            { path: 'tokenizer/vocab.txt', content: 'a\nb\n' },
            { path: 'tokenizer/merges.txt', content: 'a b\n' },
            { path: 'model.safetensors', content: randomBytes(512 * 1024), lfs: true },
          ],
        },
      },
    ],
  });
  const db = createTempDatabase();
  t.after(async () => {
    db.cleanup();
    await hub.close();
  });
  const cacheDir = useTestHub(db, hub.url);
  const tracePath = join(db.dir, 'trace.txt');
  const traced = ['fsync', 'fdatasync', 'rename', 'renameat', 'renameat2', 'symlink', 'symlinkat'].join(',');
  // Asynchronous: the test Hub answers from this very process.
  const pull = await traceCli(tracePath, traced, ['--db', db.dbPath, 'pull', 'org/model'], {
    PATH: process.env.PATH,
    HF_HUB_CACHE: cacheDir,
  });
  assert.equal(pull.code, 0, pull.stderr);

  const repoDir = join(cacheDir, 'models--org--model');
  const blobsDir = join(repoDir, 'blobs');
  const commit = readFileSync(join(repoDir, 'refs', 'main'), 'utf8');
  const snapshotDir = join(repoDir, 'snapshots', commit);
  const calls = parseTrace(readFileSync(tracePath, 'utf8'));
  const at = (predicate: (call: Call) => boolean): number[] =>
    calls.flatMap((call, index) => (predicate(call) ? [index] : []));
  const isRename = (call: Call): boolean => call.name.startsWith('rename');
  const isFsync = (call: Call): boolean => call.name === 'fsync' || call.name === 'fdatasync';

  const refMove = at((call) => isRename(call) && call.paths[1] === join(repoDir, 'refs', 'main'));
  assert.equal(refMove.length, 1, 'refs/main is written once, by a rename');
  // The weights are Xet-backed: after their download they move to the shared store
  // (shared-blobs.ts) and a link takes their place, renamed from `.{etag}.{8 hex}.shared`, as shared-blobs.ts names it.
  const isStoreLink = (call: Call): boolean => call.paths[0]!.endsWith('.shared');
  const blobRenames = at((call) => isRename(call) && call.paths[1]!.startsWith(`${blobsDir}/`) && !isStoreLink(call));
  assert.equal(blobRenames.length, 4, 'four blobs renamed into place');
  const storeDir = join(cacheDir, 'blobs');
  const toStore = at(
    (call) => isRename(call) && /^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(relative(storeDir, call.paths[1]!)),
  );
  const linkRenames = at((call) => isRename(call) && isStoreLink(call));
  assert.equal(toStore.length, 1, 'the weights moved into the store once');
  assert.equal(linkRenames.length, 1, 'and a link took their place');
  assert.ok(
    at((call) => isFsync(call) && call.paths[0] === dirname(calls[toStore[0]!]!.paths[1]!)).some(
      (index) => index > toStore[0]! && index < refMove[0]!,
    ),
    'the store folder is fsynced after the entry appears and before the ref moves',
  );
  blobRenames.push(...linkRenames);
  for (const index of blobRenames.filter((index) => !isStoreLink(calls[index]!))) {
    const written = calls[index]!.paths[0]!;
    assert.ok(
      at((call) => isFsync(call) && call.paths[0] === written).some((fsync) => fsync < index),
      `${written} is fsynced before it is renamed`,
    );
  }
  const blobsSynced = at((call) => isFsync(call) && call.paths[0] === blobsDir);
  assert.ok(
    blobsSynced.some((index) => index > Math.max(...blobRenames) && index < refMove[0]!),
    'blobs/ is fsynced after the last blob appears and before the ref moves',
  );
  for (const folder of [snapshotDir, join(snapshotDir, 'tokenizer')]) {
    const links = at((call) => call.name.startsWith('symlink') && call.paths[1]!.startsWith(`${folder}/`));
    assert.ok(links.length > 0, `links are made in ${folder}`);
    assert.ok(
      at((call) => isFsync(call) && call.paths[0] === folder).some(
        (index) => index > Math.max(...links) && index < refMove[0]!,
      ),
      `${folder} is fsynced after its links and before the ref moves`,
    );
  }
  assert.ok(
    at((call) => isFsync(call) && call.paths[0] === join(repoDir, 'refs')).some((index) => index > refMove[0]!),
    'refs/ is fsynced after the ref moves',
  );
});
