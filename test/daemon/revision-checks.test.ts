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
      /Failed checks \(files kept, models not failed; checked again at the next run\):\n {2}org\/private \(completed\) at .+: repository "org\/private" not found, or private/,
    );
    const history = await f.cli(['history', 'org/private']);
    assert.match(
      history.stdout,
      /Last check of main at .+ failed: repository "org\/private" not found, or private.*\(the files are kept; the model stays completed\)/,
    );
    assert.deepEqual(
      f.db.store.downloads.history(model().id).map((session) => session.status),
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
    // The daemon logs the pin after writing it: its line may still be on its way through the pipe.
    await waitFor(
      () =>
        daemon.logs.some((line) => line.msg === 'revision is a tag: the model is pinned' && line.revision === 'v1.0'),
      { timeoutMs: 10_000, what: "the daemon's log of the pinned tag" },
    );
    assert.ok(!daemon.logs.some((line) => line.msg === 'branch unchanged' && line.revision === 'v1.0'));
    assert.equal(f.model('org/left-tracked').status, 'completed');
  } finally {
    await daemon.kill();
  }
});

/** Pulls `id` with the token, then starts the daemon without one on a schedule firing every 2 s. */
async function completeThenDaemonWithoutToken(f: DaemonFixture, id: string, before: string[][] = []) {
  const pulled = await f.cli(['pull', id]);
  assert.equal(pulled.code, 0, pulled.stderr);
  for (const args of before) {
    const result = await f.cli(args);
    assert.equal(result.code, 0, result.stderr);
  }
  f.addSchedule('*/2 * * * * *');
  const { HF_TOKEN: _token, ...withoutToken } = f.env;
  return startDaemon(f.db.dbPath, withoutToken);
}

/** Waits until `count` more batches have finished. */
async function batches(daemon: ReturnType<typeof startDaemon>, count: number): Promise<void> {
  const finished = () => daemon.logs.filter((line) => line.msg === 'batch finished').length;
  const target = finished() + count;
  await waitFor(() => finished() >= target, { timeoutMs: 30_000, what: `${count} more batches` });
}

test('a daemon without a token leaves a complete pinned private model and a complete gated model completed', async () => {
  fixture = await createDaemonFixture([]);
  const f = fixture;
  f.hub.addRepo({ id: 'org/pinned', private: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } });
  f.hub.addRepo({
    id: 'org/gated',
    gated: true,
    gatedAccessGranted: true,
    revisions: { main: [{ path: 'config.json', content: '{}' }] },
  });
  assert.equal((await f.cli(['pull', 'org/gated'])).code, 0);
  const daemon = await completeThenDaemonWithoutToken(f, 'org/pinned', [['model', 'set', 'org/pinned', '--no-track']]);
  try {
    await batches(daemon, 3);
    for (const name of ['org/pinned', 'org/gated']) {
      const model = f.model(name);
      assert.equal(model.status, 'completed', name);
      assert.deepEqual(
        f.db.store.downloads.history(model.id).map((session) => session.status),
        ['completed'],
        `${name}: no new session`,
      );
      assert.equal((await f.cli(['verify', name])).code, 0, `${name}: the files are intact`);
    }
    assert.match(f.model('org/gated').lastCheckError ?? '', /gated/i);
    assert.equal(f.model('org/pinned').lastCheckError, null, 'a pinned model is not checked');
  } finally {
    await daemon.kill();
  }
});

test('model retry of a complete private model, then a daemon without a token: the model is not failed, and status and history say why', async () => {
  fixture = await createDaemonFixture([]);
  const f = fixture;
  f.hub.addRepo({ id: 'org/private', private: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } });
  const daemon = await completeThenDaemonWithoutToken(f, 'org/private', [['model', 'retry', 'org/private']]);
  try {
    await batches(daemon, 3);
    const model = f.model('org/private');
    assert.equal(model.status, 'pending', 'still waiting for its check, not failed');
    assert.match(model.lastCheckError ?? '', /repository "org\/private" not found, or private/);
    assert.deepEqual(
      f.db.store.downloads.history(model.id).map((session) => session.status),
      ['completed'],
      'a refused check is no failed download',
    );
    const status = await f.cli(['status']);
    assert.match(status.stdout, /org\/private \(pending\) at .+: repository "org\/private" not found, or private/);
    const history = await f.cli(['history', 'org/private']);
    assert.match(
      history.stdout,
      /Last check of main at .+ failed: repository "org\/private" not found, or private.*\(the files are kept; the download waits for the next run\)/,
    );
  } finally {
    await daemon.kill();
  }
  // With the token back, the retry goes through and the check's failure is gone.
  f.startDaemon();
  await waitFor(() => f.model('org/private').status === 'completed', { timeoutMs: 20_000, what: 'the retry' });
  assert.equal(f.model('org/private').lastCheckError, null);
});
