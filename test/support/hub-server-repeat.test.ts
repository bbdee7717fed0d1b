/**
 * The test Hub's repeated disk files (HubDiskContent.repeat), which the
 * bench uses for its 5 GiB body: whole and ranged answers hold the file's
 * bytes over and over, across the seams.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubServer, type HubServer } from './hub-server.js';

const FILE = randomBytes(3 * 1024 * 1024 + 17);
const BODY = Buffer.concat([FILE, FILE, FILE]);
let dir = '';
let hub: HubServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hfsched-repeat-'));
  const diskPath = join(dir, 'file.bin');
  writeFileSync(diskPath, FILE);
  const sha256 = createHash('sha256').update(BODY).digest('hex');
  hub = await startHubServer({
    repos: [
      {
        id: 'org/repeated',
        revisions: { main: [{ path: 'model.safetensors', content: { diskPath, sha256, repeat: 3 }, lfs: true }] },
      },
    ],
  });
});

after(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fetchBody(range?: string): Promise<{ status: number; body: Buffer }> {
  const answer = await fetch(hub.resolveUrl('org/repeated', 'main', 'model.safetensors'), {
    headers: range === undefined ? {} : { Range: range },
  });
  return { status: answer.status, body: Buffer.from(await answer.arrayBuffer()) };
}

test('a repeated file is listed with its whole size and served whole', async () => {
  assert.equal(hub.fileInfo('org/repeated', 'main', 'model.safetensors').size, BODY.length);
  const whole = await fetchBody();
  assert.equal(whole.status, 200);
  assert.ok(whole.body.equals(BODY));
});

test('a range across the seam between two passes holds the right bytes', async () => {
  const start = FILE.length - 1000;
  const end = 2 * FILE.length + 500;
  const ranged = await fetchBody(`bytes=${start}-${end}`);
  assert.equal(ranged.status, 206);
  assert.ok(ranged.body.equals(BODY.subarray(start, end + 1)));
});

test('repeat above 1 without the whole body sha256 is refused', async () => {
  const diskPath = join(dir, 'file.bin');
  await assert.rejects(
    startHubServer({
      repos: [{ id: 'org/bad', revisions: { main: [{ path: 'a.bin', content: { diskPath, repeat: 2 }, lfs: true }] } }],
    }),
    /repeat must be a whole number >= 1, and above 1 needs sha256 and lfs: true/,
  );
});
