/**
 * The daemon (a systemd unit, a container) and an admin's shell resolve
 * different cache folders. A model's files are where it was downloaded, and
 * the commands that read or delete them look there.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

describe("commands look in the model's own cache folder", () => {
  let hub: HubServer;
  let db: TempDatabase;
  let unitCache: string;
  let shellCache: string;
  /** As the admin's shell: another HF_HUB_CACHE than the one the model was downloaded with. */
  const asAdmin = (args: string[]) => runCli(args, { dbPath: db.dbPath, env: { HF_HUB_CACHE: shellCache } });

  beforeEach(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/model',
          revisions: {
            main: [
              { path: 'config.json', content: '{}' },
              { path: 'weights.bin', content: 'weights' },
            ],
          },
        },
      ],
    });
    db = createTempDatabase();
    db.store.config.set('hub.endpoint', hub.url);
    db.store.config.set('download.min_free_bytes', '0');
    unitCache = join(db.dir, 'unit-cache');
    shellCache = join(db.dir, 'shell-cache');
    const pulled = await runCli(['pull', 'org/model'], { dbPath: db.dbPath, env: { HF_HUB_CACHE: unitCache } });
    assert.equal(pulled.code, 0, pulled.stderr);
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
  });

  const bothFolders = (): RegExp =>
    new RegExp(
      `org/model is in ${unitCache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, where it was downloaded; this environment's cache is ${shellCache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    );

  test('verify from another environment checks the files where they are: intact, and the model stays completed', async () => {
    const result = await asAdmin(['verify', 'org/model']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stderr, bothFolders());
    assert.match(result.stdout, /org\/model\s+ok\s+2 files/);
    assert.equal(db.store.models.byName('org/model')!.status, 'completed');
  });

  test('cache list from another environment shows the model where it is', async () => {
    const result = await asAdmin(['cache', 'list']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, bothFolders());
    assert.doesNotMatch(result.stdout, /not in the cache/);
    const json = JSON.parse((await asAdmin(['cache', 'list', '--json'])).stdout) as {
      repos: { cacheDir: string; usage: { snapshots: unknown[] } | null }[];
    };
    assert.equal(json.repos[0]!.cacheDir, unitCache);
    assert.equal(json.repos[0]!.usage?.snapshots.length, 1);
  });

  test('model remove --purge from another environment deletes the folder where the model was downloaded', async () => {
    const repo = join(unitCache, 'models--org--model');
    assert.ok(existsSync(repo));
    const result = await asAdmin(['model', 'remove', 'org/model', '--purge']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, bothFolders());
    assert.equal(existsSync(join(repo, 'snapshots')), false, 'the real folder is purged, not orphaned');
    assert.equal(existsSync(join(repo, 'blobs')), false);
  });
});
