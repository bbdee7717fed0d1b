import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyFilesystem, databaseFilesystem } from '../../src/store/database-filesystem.js';
import { initializeDatabase, openStore } from '../../src/store/index.js';

describe('the filesystem under the database', () => {
  test("statfs magic numbers of network filesystems are recognised (linux/magic.h and the vendors')", () => {
    assert.deepEqual(classifyFilesystem(0x6969), { kind: 'network', name: 'NFS' });
    assert.deepEqual(classifyFilesystem(0xff534d42), { kind: 'network', name: 'CIFS' });
    assert.deepEqual(classifyFilesystem(0xfe534d42), { kind: 'network', name: 'SMB2' });
    assert.deepEqual(classifyFilesystem(0x00c36400), { kind: 'network', name: 'CephFS' });
    assert.deepEqual(classifyFilesystem(0x0bd00bd0), { kind: 'network', name: 'Lustre' });
    assert.deepEqual(classifyFilesystem(0x47504653), { kind: 'network', name: 'GPFS (IBM Storage Scale)' });
    assert.deepEqual(classifyFilesystem(0x01021997), { kind: 'network', name: '9p' });
    // A 32-bit f_type shows CIFS's magic as a negative number.
    assert.deepEqual(classifyFilesystem(0xff534d42 | 0), { kind: 'network', name: 'CIFS' });
  });

  test('local filesystems and FUSE are not refused', () => {
    assert.deepEqual(classifyFilesystem(0xef53), { kind: 'local' }); // ext4
    assert.deepEqual(classifyFilesystem(0x58465342), { kind: 'local' }); // xfs
    assert.deepEqual(classifyFilesystem(0x01021994), { kind: 'local' }); // tmpfs
    assert.deepEqual(classifyFilesystem(0x65735546), { kind: 'fuse' });
  });

  test(
    'a database on a real tmpfs mount is local and opens',
    { skip: process.getuid?.() !== 0 && 'needs root to mount tmpfs' },
    () => {
      const mountPoint = mkdtempSync(join(tmpdir(), 'hfsched-tmpfs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint]);
      try {
        const dbPath = join(mountPoint, 'state', 'hfsched.db');
        assert.deepEqual(databaseFilesystem(dbPath, false), { kind: 'local' });
        initializeDatabase(dbPath);
        openStore(dbPath).close();
      } finally {
        execFileSync('umount', [mountPoint]);
        rmSync(mountPoint, { recursive: true, force: true });
      }
    },
  );
});
