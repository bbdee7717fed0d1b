import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHubFixture, type HubFixture } from './fixtures.js';

let fx: HubFixture;
beforeEach(async () => {
  fx = await createHubFixture([{ id: 'org/model', revisions: { main: [{ path: 'config.json', content: '{}' }] } }]);
});
afterEach(() => fx.cleanup());

test('a download removes the temporaries of dead processes from the repo folder, and keeps those of live ones', async () => {
  const first = await fx.pull('org/model');
  const repoDir = join(fx.cacheDir, 'models--org--model');
  const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    const dead = [
      join(repoDir, 'blobs', `${'a'.repeat(40)}.${deadPid}.k3j2h1.tmp`),
      join(repoDir, 'refs', `main.hfsched-${deadPid}`),
      join(first.snapshotPath, `config.json.hfsched-${deadPid}`),
      // Our own pid, but older than this process: left by an earlier life of a restarted container.
      join(repoDir, 'blobs', `${'b'.repeat(40)}.${process.pid}.zz9.tmp`),
    ];
    const kept = [
      join(repoDir, 'blobs', `${'c'.repeat(40)}.${live.pid}.q1.tmp`),
      join(repoDir, 'blobs', `${'d'.repeat(40)}.${process.pid}.fresh.tmp`),
    ];
    for (const path of [...dead, ...kept]) {
      if (path.includes('snapshots')) symlinkSync('../../blobs/nothing', path);
      else writeFileSync(path, 'x');
    }
    const longAgo = new Date(Date.now() - 24 * 3600 * 1000);
    utimesSync(dead[3]!, longAgo, longAgo);

    await fx.pull('org/model');
    for (const path of dead) assert.equal(existsSync(path) || isLink(path), false, `${path} removed`);
    for (const path of kept) assert.equal(existsSync(path), true, `${path} kept`);
  } finally {
    live.kill();
  }
});

function isLink(path: string): boolean {
  return spawnSync('test', ['-L', path]).status === 0;
}
