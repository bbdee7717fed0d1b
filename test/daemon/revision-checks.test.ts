import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDaemonFixture, type DaemonFixture } from './daemon-fixture.js';
import { startDaemon, waitFor } from './daemon-process.js';

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('a daemon without a token keeps a complete private model completed, and status and history report the failed check', async () => {
  fixture = await createDaemonFixture([]);
  const f = fixture;
  f.hub.addRepo({ id: 'org/private', private: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } });
  const pulled = await f.cli(['pull', 'org/private']);
  assert.equal(pulled.code, 0, pulled.stderr);
  f.addSchedule('*/2 * * * * *');
  const { HF_TOKEN: _token, ...withoutToken } = f.env;
  const daemon = startDaemon(f.db.dbPath, withoutToken);
  try {
    const model = () => f.model('org/private');
    await waitFor(() => model().lastCheckError !== null || model().status !== 'completed', {
      timeoutMs: 20_000,
      what: 'the first check without a token',
    });
    const first = model().lastCheckedAt;
    await waitFor(() => model().lastCheckedAt !== first || model().status !== 'completed', {
      timeoutMs: 20_000,
      what: 'the check of the next firing',
    });
    assert.equal(model().status, 'completed');
    assert.match(model().lastCheckError ?? '', /repository "org\/private" not found, or private/);

    const verify = await f.cli(['verify', 'org/private']);
    assert.equal(verify.code, 0, 'the files are intact');
    const status = await f.cli(['status']);
    assert.match(
      status.stdout,
      /Failed checks \(files kept, models still completed; checked again at the next run\):\n {2}org\/private at .+: repository "org\/private" not found, or private/,
    );
    const history = await f.cli(['history', 'org/private']);
    assert.match(
      history.stdout,
      /Last check of main at .+ failed: repository "org\/private" not found, or private.*\(the files are kept; the model stays completed\)/,
    );
    assert.deepEqual(
      f.db.store.getDownloadHistory(model().id).map((session) => session.status),
      ['completed'],
      'a failed check is no failed download',
    );
  } finally {
    await daemon.kill();
  }
});

test('a tag is never shown or checked as a tracked branch: pull pins it, and the daemon pins one left tracked', async () => {
  fixture = await createDaemonFixture([]);
  const f = fixture;
  const tagged = (id: string) =>
    f.hub.addRepo({
      id,
      tags: ['v1.0'],
      revisions: {
        main: [{ path: 'config.json', content: '{"v": 2}' }],
        'v1.0': [{ path: 'config.json', content: '{"v": 1}' }],
      },
    });
  tagged('org/pulled');
  tagged('org/left-tracked');

  const added = await f.cli(['model', 'add', 'org/left-tracked', '--revision', 'v1.0']);
  assert.match(
    added.stdout,
    /Tracking:\s+if v1\.0 is a branch \(each run checks it\); a tag is pinned at its first download/,
  );
  const pulled = await f.cli(['pull', 'org/pulled', '--revision', 'v1.0']);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match((await f.cli(['model', 'show', 'org/pulled'])).stdout, /Tracking:\s+no: pinned at its commit/);

  // As pull left a new model on a tag before 0.3: completed and still tracked.
  assert.equal((await f.cli(['pull', 'org/left-tracked'])).code, 0);
  f.db.store.models.updateOptions(f.model('org/left-tracked').id, { tracking: true });
  f.addSchedule('*/2 * * * * *');
  const daemon = f.startDaemon();
  try {
    await waitFor(() => !f.model('org/left-tracked').tracking, {
      timeoutMs: 20_000,
      what: 'the tag pinned by the daemon',
    });
    assert.ok(
      daemon.logs.some((line) => line.msg === 'revision is a tag: the model is pinned' && line.revision === 'v1.0'),
    );
    assert.ok(!daemon.logs.some((line) => line.msg === 'branch unchanged' && line.revision === 'v1.0'));
    assert.equal(f.model('org/left-tracked').status, 'completed');
  } finally {
    await daemon.kill();
  }
});
