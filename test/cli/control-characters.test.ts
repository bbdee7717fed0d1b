/**
 * File names come from the server and may hold terminal control sequences
 * (ESC, BEL). Everything hfsched prints for people shows them escaped; --json
 * stays valid JSON that carries the real name.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

/** Would set the terminal's title and turn the text red, then ring the bell. */
const EVIL = 'evil\u001b]0;pwned\u0007\u001b[31mred.txt';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let hub: HubServer;
let db: TempDatabase;
const env = (): Record<string, string> => ({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(db.dir, 'cache') });

beforeEach(async () => {
  hub = await startHubServer({
    repos: [{ id: 'org/model', revisions: { main: [{ path: EVIL, content: 'hello' }] } }],
  });
  db = createTempDatabase();
  db.store.config.set('download.min_free_bytes', '0');
});
afterEach(async () => {
  db.cleanup();
  await hub.close();
});

test('pull prints a file name with control characters escaped', async () => {
  const result = await runCli(['pull', 'org/model'], { dbPath: db.dbPath, env: env() });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, RAW_CONTROL);
  assert.match(result.stderr, /evil\\x1b\]0;pwned\\x07\\x1b\[31mred\.txt/);
});

test('an error naming such a file is escaped on the terminal and exact in --json history', async () => {
  hub.setHostile({ listedSizes: { [EVIL]: -5 } });
  const result = await runCli(['pull', 'org/model'], { dbPath: db.dbPath, env: env() });
  assert.notEqual(result.code, 0);
  assert.doesNotMatch(result.stderr, RAW_CONTROL);
  assert.match(result.stderr, /invalid size \(-5\)/);

  const shown = await runCli(['history', 'org/model'], { dbPath: db.dbPath, env: env() });
  assert.equal(shown.code, 0, shown.stderr);
  assert.doesNotMatch(shown.stdout, RAW_CONTROL);
  const json = await runCli(['history', 'org/model', '--json'], { dbPath: db.dbPath, env: env() });
  const sessions = JSON.parse(json.stdout) as Array<{ errorMessage: string | null }>;
  assert.match(sessions[0]!.errorMessage ?? '', /invalid size/);
});
