/**
 * `model add` (and `pull` of a repository not listed yet) ask the test Hub
 * once whether it has the repository at the revision, so a typo is refused
 * at once and leaves no model behind; `--no-check` and HF_HUB_OFFLINE=1 skip
 * the call. The confirmation says truly when the model will download.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe('model add checks the Hub', () => {
  let hub: HubServer;
  let db: TempDatabase;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, {
      dbPath: db.dbPath,
      env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(db.dir, 'cache'), ...env },
    });
  const apiCalls = () => hub.requests.filter((request) => request.host === 'hub' && request.path.startsWith('/api/'));

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [{ id: 'org/model', revisions: { main: [{ path: 'config.json', content: '{}' }], 'v1.0': [] } }],
    });
    db = createTempDatabase();
    db.store.config.set('scheduler.timezone', 'Asia/Tokyo');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  test('a repository the Hub has is added after one API call at its revision', async () => {
    const result = await cli(['model', 'add', 'org/model', '--revision', 'v1.0']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      apiCalls().map((request) => request.path),
      ['/api/models/org/model/revision/v1.0'],
    );
    assert.equal(db.store.models.byName('org/model')?.revision, 'v1.0');
  });

  test('a repository the Hub does not have is refused at add (exit 1) and nothing is recorded', async () => {
    const result = await cli(['model', 'add', 'org/modle']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^hfsched: .*org\/modle.*\n$/);
    assert.match(result.stderr, /not found/i);
    assert.equal(apiCalls().length, 1, 'one API call');
    assert.deepEqual(db.store.models.list(), []);
  });

  test('a revision the Hub does not have is refused at add', async () => {
    const result = await cli(['model', 'add', 'org/model', '--revision', 'v9.9']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /v9\.9/);
    assert.deepEqual(db.store.models.list(), []);
  });

  test('--no-check and HF_HUB_OFFLINE=1 add without asking the Hub', async () => {
    assert.equal((await cli(['model', 'add', 'org/unknown', '--no-check'])).code, 0);
    assert.equal((await cli(['model', 'add', 'org/other'], { HF_HUB_OFFLINE: '1' })).code, 0);
    assert.equal(apiCalls().length, 0);
    assert.deepEqual(
      db.store.models.list().map((model) => model.name),
      ['org/unknown', 'org/other'],
    );
  });

  test('pull of a repository that does not exist leaves no model behind', async () => {
    const result = await cli(['pull', 'org/nosuch']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /org\/nosuch/);
    assert.deepEqual(db.store.models.list(), []);
  });

  test('without an enabled schedule, the confirmation says nothing will download it yet', async () => {
    const result = await cli(['model', 'add', 'org/model']);
    assert.equal(
      result.stdout.split('\n')[0],
      'Added model org/model (id 1); no schedule is enabled, so nothing downloads it yet: add one with hfsched schedule add, or download it now with hfsched pull org/model.',
    );
  });

  test('with an enabled schedule, it names the next run in the schedule zone, and whether a daemon runs', async () => {
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:30' });
    const result = await cli(['model', 'add', 'org/model']);
    assert.match(
      result.stdout.split('\n')[0] ?? '',
      /^Added model org\/model \(id 1\); it is pending until the next scheduled run, \w{3} \d{4}-\d\d-\d\d 01:30 Asia\/Tokyo, if the daemon runs then \(it is not running now: hfsched daemon\)\.$/,
    );
  });

  test('while a running daemon has a window open, it says the daemon queues it now', async () => {
    db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:30' });
    // A daemon registered by this (running) process, with an open window, as the daemon publishes it.
    db.store.daemon.claim({ pid: process.pid, hostname: hostname(), startedAt: new Date() }, () => false);
    db.store.daemon.heartbeat(process.pid, {
      scheduleId: 1,
      nextRunAt: null,
      windowEndsAt: new Date(Date.now() + 3_600_000),
      queue: [],
      running: [],
      httpUrl: null,
      rateLimitedUntil: null,
    });
    const result = await cli(['model', 'add', 'org/model']);
    assert.equal(
      result.stdout.split('\n')[0],
      'Added model org/model (id 1); a window is open: the running daemon queues it within seconds.',
    );
  });
});
