/**
 * Node's compile cache (src/cli/compile-cache.ts): where it is kept, that it
 * is kept (Node 22.1 and later), and that a folder that cannot be made never
 * stops a command.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCacheFolder } from '../../src/cli/compile-cache.js';
import { runCli } from '../support/cli.js';

/** Node 20 has no compile cache (module.enableCompileCache came with 22.1). */
const NODE_HAS_COMPILE_CACHE = 'enableCompileCache' in nodeModule;

describe('the compile cache', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hfsched-compile-cache-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('is kept per user: under $XDG_CACHE_HOME when it is an absolute path, else under ~/.cache', () => {
    assert.equal(compileCacheFolder({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/hfsched/node-compile-cache');
    const fallback = join(homedir(), '.cache', 'hfsched', 'node-compile-cache');
    assert.equal(compileCacheFolder({}), fallback);
    assert.equal(compileCacheFolder({ XDG_CACHE_HOME: 'relative/cache' }), fallback);
  });

  test('a folder that cannot be made (under a regular file) leaves the command working and silent', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'a file where the cache folder would go\n');
    const dbPath = join(dir, 'unwritable-cache.db');
    const result = await runCli(['init'], { dbPath, env: { XDG_CACHE_HOME: file } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Created database /);
    assert.equal(result.stderr, '');
    assert.equal((await runCli(['model', 'list'], { dbPath, env: { XDG_CACHE_HOME: file } })).code, 0);
  });

  test(
    'on Node 22.1 and later, a command leaves the compiled program in the folder for the next start',
    { skip: NODE_HAS_COMPILE_CACHE ? false : `Node ${process.version} has no compile cache` },
    async () => {
      const cacheHome = join(dir, 'cache-home');
      // Node's own variables would choose the folder, or turn the cache off.
      const env = { XDG_CACHE_HOME: cacheHome, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
      const result = await runCli(['init'], { dbPath: join(dir, 'cached.db'), env });
      assert.equal(result.code, 0, result.stderr);
      const folder = compileCacheFolder({ XDG_CACHE_HOME: cacheHome });
      assert.ok(existsSync(folder), `${folder} was not made`);
      assert.ok(readdirSync(folder, { recursive: true }).length > 0, `${folder} is empty`);
    },
  );
});
