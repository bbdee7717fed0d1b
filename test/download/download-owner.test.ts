import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { isOrphaned, isRunByAnotherProcess, ownerMetadata } from '../../src/download/download-owner.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe('who owns a download', () => {
  let temp: TempDatabase;
  beforeEach(() => {
    temp = createTempDatabase();
  });
  afterEach(() => temp.cleanup());

  function sessionOwnedBy(pid: number) {
    const model = temp.store.models.create({ name: `org/model-${pid}` });
    const session = temp.store.downloads.begin({ modelId: model.id, scheduleId: null });
    temp.store.downloads.recordProgress(session.id, {
      bytesDownloaded: 0,
      totalBytes: null,
      metadata: { ...ownerMetadata(), ownerPid: pid },
    });
    return temp.store.downloads.getSession(session.id)!;
  }

  test('a session of a live process is running, and the daemon repair spares it; once that process dies it is orphaned', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const session = sessionOwnedBy(child.pid!);
    assert.equal(isRunByAnotherProcess(session), true);
    assert.equal(isOrphaned(session), false);
    assert.deepEqual(temp.store.downloads.recoverInterrupted(isRunByAnotherProcess), []);

    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(isRunByAnotherProcess(session), false);
    assert.equal(isOrphaned(session), true);
    assert.deepEqual(
      temp.store.downloads.recoverInterrupted(isRunByAnotherProcess).map((ended) => ended.id),
      [session.id],
    );
  });

  test('a session of this very process is neither orphaned nor run by another process', () => {
    const session = sessionOwnedBy(process.pid);
    assert.equal(isRunByAnotherProcess(session), false);
    assert.equal(isOrphaned(session), false);
  });
});
