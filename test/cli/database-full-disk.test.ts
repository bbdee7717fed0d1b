/**
 * A full disk under the database: the CLI says so in words a user acts on
 * ("no space left for the database at <path>"), where it said "disk I/O
 * error". A real tmpfs of 2 MiB is filled to the last byte; root is needed
 * to mount it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

/** Writes into `path` until the disk refuses (ENOSPC). */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try {
        writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    // The last partial block: fill what a whole one did not.
    for (;;) {
      try {
        writeSync(fd, block, 0, 512);
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

test(
  'a write to a database on a full disk says "no space left for the database at <path>", not "disk I/O error"',
  { skip: process.getuid?.() !== 0 && 'needs root to mount a small tmpfs' },
  async () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'hfsched-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
    try {
      const dbPath = join(mountPoint, 'hfsched.db');
      const init = await runCli(['init'], { dbPath });
      assert.equal(init.code, 0, init.stderr);
      fillDisk(join(mountPoint, 'filler'));
      const models = Array.from({ length: 200 }, (_, index) => `org/model-${index}-${'x'.repeat(60)}`);
      let failed = null;
      for (const model of models) {
        const added = await runCli(['model', 'add', '--no-check', model], { dbPath });
        if (added.code !== 0) {
          failed = added;
          break;
        }
      }
      assert.ok(failed !== null, 'the disk filled up before 200 models were added');
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, new RegExp(`no space left for the database at ${dbPath.replace(/[.]/g, '\\.')}`));
      assert.doesNotMatch(failed.stderr, /disk I\/O error/);
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  },
);
