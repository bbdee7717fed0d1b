/**
 * A cache on a file system without symbolic links (a real vfat image made
 * with mkfs.vfat, mounted by the kernel, or by fusefat where the kernel has
 * no vfat; as root) is refused before anything is fetched, detected as
 * huggingface_hub does: by trying a link.
 */
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConstraintError } from '../../src/errors.js';
import { createHubFixture, type HubFixture } from './fixtures.js';

const canMountVfat = process.getuid?.() === 0 && spawnSync('mkfs.vfat', ['--help']).error === undefined;

/** The kernel's vfat, else fusefat (a FUSE vfat); false when neither mounts it. */
function mountVfat(image: string, on: string): boolean {
  if (spawnSync('mount', ['-o', 'loop', image, on]).status === 0) return true;
  return spawnSync('fusefat', ['-o', 'rw+', image, on]).status === 0;
}
let fx: HubFixture;
let work: string;
let mountPoint: string;

beforeEach(async () => {
  fx = await createHubFixture([{ id: 'org/model', revisions: { main: [{ path: 'config.json', content: '{}' }] } }]);
  work = mkdtempSync(join(tmpdir(), 'hfsched-vfat-'));
  mountPoint = join(work, 'mnt');
  mkdirSync(mountPoint);
});
afterEach(async () => {
  if (spawnSync('umount', [mountPoint]).status !== 0) spawnSync('fusermount', ['-u', mountPoint]);
  rmSync(work, { recursive: true, force: true });
  await fx.cleanup();
});

test(
  'a cache on vfat is refused with a clear message before any request, and nothing is left in it',
  { skip: canMountVfat ? false : 'needs root and mkfs.vfat (dosfstools) for a loop-mounted vfat image' },
  async (t) => {
    const image = join(work, 'vfat.img');
    assert.equal(spawnSync('truncate', ['-s', '8M', image]).status, 0);
    assert.equal(spawnSync('mkfs.vfat', [image]).status, 0);
    if (!mountVfat(image, mountPoint)) return t.skip('this kernel has no vfat and fusefat is not installed');
    const cacheDir = join(mountPoint, 'hub');

    await assert.rejects(fx.pull('org/model', { cacheDir }), (error: Error) => {
      assert.ok(error instanceof ConstraintError);
      assert.match(
        error.message,
        /is on a file system without symbolic links .* nothing was downloaded: put the cache/,
      );
      return true;
    });
    assert.equal(fx.hub.requests.length, 0, 'no request was made');
    assert.deepEqual(readdirSync(cacheDir), []);
  },
);
