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
