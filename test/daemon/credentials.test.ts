/**
 * The Hub token as a systemd credential: the daemon reads
 * $CREDENTIALS_DIRECTORY/hf_token (LoadCredential=hf_token:...), uses it for a
 * private repository, and it appears in no log line and nowhere in the database.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { startDaemon, waitFor, type DaemonProcess } from './daemon-process.js';

let db: TempDatabase | null = null;
let hub: HubServer | null = null;
let daemon: DaemonProcess | null = null;
afterEach(async () => {
  await daemon?.kill();
  await hub?.close();
  db?.cleanup();
  daemon = hub = db = null;
});

async function daemonWithCredential(
  token: string | null,
): Promise<{ db: TempDatabase; hub: HubServer; daemon: DaemonProcess }> {
  db = createTempDatabase();
  hub = await startHubServer({
    repos: [
      {
        id: 'org/private',
        private: true,
        revisions: { main: [{ path: 'config.json', content: '{"secret": false}' }] },
      },
    ],
  });
  const credentials = join(db.dir, 'credentials');
  mkdirSync(credentials);
  if (token !== null) writeFileSync(join(credentials, 'hf_token'), `${token}\n`, { mode: 0o600 });
  db.store.models.create({ name: 'org/private' });
  db.store.config.set('download.min_free_bytes', '0');
  db.store.config.set('download.max_retries', '0');
  db.store.schedules.create({ name: 'test', type: 'custom', cronPattern: '* * * * * *' });
  daemon = startDaemon(db.dbPath, {
    HF_ENDPOINT: hub.url,
    HF_HUB_CACHE: join(db.dir, 'cache'),
    CREDENTIALS_DIRECTORY: credentials,
    HFSCHED_LOG_LEVEL: 'trace',
  });
  return { db, hub, daemon };
}

/** Every byte of the database: the main file, and the WAL where recent writes live. */
function databaseBytes(temp: TempDatabase): string {
  return readdirSync(temp.dir)
    .filter((name) => name.startsWith(temp.dbPath.split('/').pop()!))
    .map((name) => readFileSync(join(temp.dir, name)).toString('latin1'))
    .join('');
}

describe('daemon: the token as a systemd credential', () => {
  test('a token in $CREDENTIALS_DIRECTORY/hf_token opens a private repo and is never logged or stored', async () => {
    const { db, hub, daemon } = await daemonWithCredential('hf_test_token');
    const model = db.store.models.byName('org/private')!;
    await waitFor(() => db.store.models.get(model.id)?.status === 'completed', {
      timeoutMs: 20_000,
      what: () => `the private model downloaded; daemon logs: ${JSON.stringify(daemon.logs.slice(-5))}`,
    });

    assert.ok(
      hub.requests.some((request) => request.host === 'hub' && request.authorization === `Bearer ${hub.token}`),
    );
    const output = JSON.stringify(daemon.logs) + daemon.otherOutput.join('');
    assert.ok(daemon.logs.length > 5, 'the daemon logged at trace level');
    assert.equal(output.includes(hub.token), false, 'the token is in no log line');
    db.store.close();
    assert.equal(databaseBytes(db).includes(hub.token), false, 'the token is nowhere in the database');
  });

  test('without the credential the private repo fails with the reason', async () => {
    const { db } = await daemonWithCredential(null);
    const model = db.store.models.byName('org/private')!;
    await waitFor(() => db.store.models.get(model.id)?.status === 'failed', {
      timeoutMs: 20_000,
      what: 'the download failed',
    });
    const [session] = db.store.downloads.history(model.id, { limit: 1 });
    assert.match(session?.errorMessage ?? '', /not found, or private/);
  });
});
