import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, useTestHub, type TempDatabase } from '../support/temp-db.js';

describe('hfsched pull: which files --include and --exclude select', () => {
  let hub: HubServer;
  let db: TempDatabase;
  let cacheDir: string;
  const pull = (args: string[]) => runCli(['pull', ...args], { dbPath: db.dbPath });

  before(async () => {
    hub = await startHubServer({
      repos: [
        {
          id: 'org/nested',
          revisions: {
            main: [
              { path: 'config.json', content: '{}' },
              { path: 'nested/notes.txt', content: 'top notes' },
              { path: 'nested/deeper/notes.txt', content: 'deeper notes' },
            ],
          },
        },
      ],
    });
    db = createTempDatabase();
    cacheDir = useTestHub(db, hub.url);
  });
  after(async () => {
    db.cleanup();
    await hub.close();
  });

  test('as hf download: --include "nested/*" also gets nested/deeper/notes.txt', async () => {
    const result = await pull(['org/nested', '--include', 'nested/*']);
    assert.equal(result.code, 0, result.stderr);
    const snapshot = result.stdout.trim();
    assert.deepEqual(readdirSync(snapshot, { recursive: true }).map(String).sort(), [
      'nested',
      'nested/deeper',
      'nested/deeper/notes.txt',
      'nested/notes.txt',
    ]);
    assert.match(result.stderr, /: 2 files, /);
  });

  test('a selection that matches no file exits 1 naming the patterns, never "Downloaded: 0 files"', async () => {
    const result = await pull(['org/nested', '--include', '*.gguf', '--exclude', 'nested/']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr.trim().split('\n').at(-1),
      'hfsched: no file of "org/nested" at main matches --include "*.gguf" --exclude "nested/" ' +
        '(3 files listed; patterns match whole paths as hf download does, see docs/cache.md)',
    );
    assert.doesNotMatch(result.stderr, /Downloaded/);
  });

  test('a new model whose patterns match nothing fails and leaves no folder in the cache', async () => {
    hub.addRepo({ id: 'org/fresh', revisions: { main: [{ path: 'a.txt', content: 'a' }] } });
    const result = await pull(['org/fresh', '--include', '*.safetensors']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /no file of "org\/fresh" at main matches --include "\*\.safetensors"/);
    assert.equal(db.store.models.byName('org/fresh')!.status, 'failed');
    assert.equal(existsSync(join(cacheDir, 'models--org--fresh')), false);
  });
});
