import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertValidSnapshot,
  createDaemonFixture,
  randomContent,
  type DaemonFixture,
  type RepoFiles,
} from './daemon-fixture.js';
import { waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

function repo(id: string): RepoFiles {
  return {
    id,
    files: {
      'config.json': JSON.stringify({ model_type: 'test', name: id }),
      'model.safetensors': randomContent(96 * 1024),
      'tokenizer/vocab.txt': `vocab of ${id}\n`,
    },
  };
}

describe('daemon: a scheduled batch', () => {
  test('a batch of models completes with the right records and a valid cache', async () => {
    const repos = [repo('org/alpha'), repo('org/beta'), repo('gamma')];
    fixture = await createDaemonFixture(repos);
    const f = fixture;
    const scheduleId = f.addSchedule('*/2 * * * * *', 2);
    const daemon = f.startDaemon();
    await waitFor(() => repos.every((r) => f.model(r.id).status === 'completed'), {
      timeoutMs: 30_000,
      what: () =>
        `every model completed: ${f.db.store.models
          .list()
          .map((m) => `${m.name}=${m.status}`)
          .join(', ')}`,
    });
    for (const r of repos) {
      const model = f.model(r.id);
      const expectedSize = Object.values(r.files).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
      assert.equal(model.sizeBytes, expectedSize, `${r.id} size`);
      assertValidSnapshot(f.cacheDir, r, f.hub, model.downloadPath);
      const sessions = f.db.store.downloads.history(model.id, { limit: 10 });
      assert.equal(sessions.length, 1, `${r.id} was downloaded once`);
      const session = sessions[0]!;
      assert.equal(session.status, 'completed');
      assert.equal(session.scheduleId, scheduleId);
      assert.equal(session.bytesDownloaded, expectedSize);
      assert.equal(session.totalBytes, expectedSize);
      assert.equal(session.retryCount, 0);
      assert.equal(session.errorMessage, null);
      assert.ok(session.completedAt !== null && session.completedAt >= session.startedAt);
    }
    const history = await f.cli(['history', 'org/beta', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.equal(
      (JSON.parse(history.stdout) as { status: string }[])[0]?.status,
      'completed',
      'hfsched history shows it',
    );

    const queued = daemon.logs.filter((line) => line.msg === 'model queued');
    assert.deepEqual(queued.map((line) => line.model).sort(), ['gamma', 'org/alpha', 'org/beta']);
    assert.ok(
      queued.every((line) => line.schedule === scheduleId),
      'queue lines name the schedule',
    );
    for (const line of daemon.logs.filter((l) => typeof l.session === 'number')) {
      assert.equal(
        typeof line.model,
        'string',
        `a line about session ${String(line.session)} names its model: ${line.msg}`,
      );
      assert.equal(
        line.schedule,
        scheduleId,
        `a line about session ${String(line.session)} names its schedule: ${line.msg}`,
      );
    }
    assert.ok(
      daemon.logs.some((l) => typeof l.session === 'number'),
      'download lines name their session',
    );
    assert.ok(!JSON.stringify(daemon.logs).includes(f.hub.token), 'the token never appears in the logs');
  });

  test('models completed before are not queued again at the next firing', async () => {
    const repos = [repo('org/alpha')];
    fixture = await createDaemonFixture(repos);
    const f = fixture;
    f.addSchedule('* * * * * *');
    const daemon = f.startDaemon();
    await waitFor(() => f.model('org/alpha').status === 'completed', { timeoutMs: 20_000 });
    const firings = (): number => daemon.logs.filter((line) => line.msg === 'batch started').length;
    const firingsAtCompletion = firings();
    await waitFor(() => firings() >= firingsAtCompletion + 2, { timeoutMs: 10_000, what: 'two more firings' });
    assert.equal(f.db.store.downloads.history(f.model('org/alpha').id, { limit: 10 }).length, 1);
    assert.equal(daemon.logs.filter((line) => line.msg === 'model queued').length, 1);
  });
});
