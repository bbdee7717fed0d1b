import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { startProxy, type LoggingProxy } from '../support/logging-proxy.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';
import { createTestCa, type TestCa } from '../support/test-ca.js';

const REPOS = [
  {
    id: 'org/model',
    revisions: {
      main: [
        { path: 'config.json', content: '{"hidden_size": 8}' },
        { path: 'model.safetensors', content: Buffer.alloc(256 * 1024, 3) },
      ],
    },
  },
];

describe('hfsched pull through a proxy', () => {
  let ca: TestCa;
  before(() => {
    ca = createTestCa();
  });
  after(() => ca.cleanup());
  let hub: HubServer;
  let proxy: LoggingProxy;
  let db: TempDatabase;
  beforeEach(async () => {
    db = createTempDatabase();
    db.store.config.set('download.min_free_bytes', '0');
  });
  afterEach(async () => {
    db.cleanup();
    await hub.close();
    await proxy.close();
  });

  test('HTTPS_PROXY with credentials and hub.ca_bundle: the pull goes through CONNECT and never shows the password', async () => {
    hub = await startHubServer({ repos: REPOS, tls: ca.tls });
    proxy = await startProxy('ops:Sup3rSecret');
    db.store.config.set('hub.ca_bundle', ca.caPath);
    const result = await runCli(['pull', 'org/model'], {
      dbPath: db.dbPath,
      env: {
        HF_ENDPOINT: hub.url,
        HF_HUB_CACHE: join(db.dir, 'cache'),
        HTTPS_PROXY: proxy.url.replace('//', '//ops:Sup3rSecret@'),
        HFSCHED_LOG_LEVEL: 'debug',
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      proxy.log.length > 0 && proxy.log.every((line) => line.startsWith('CONNECT 127.0.0.')),
      proxy.log.join('\n'),
    );
    assert.doesNotMatch(result.stdout + result.stderr, /Sup3rSecret/);
  });

  test('the hub.proxy setting sends a plain-http pull through the proxy, each request in its log', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    db.store.config.set('hub.proxy', proxy.url);
    const result = await runCli(['pull', 'org/model'], {
      dbPath: db.dbPath,
      env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(db.dir, 'cache') },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(proxy.log.length, hub.requests.length);
    assert.ok(hub.requests.length >= 3);
  });

  test('an unreadable hub.ca_bundle fails the pull with a message naming the setting', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    db.store.config.set('hub.ca_bundle', join(db.dir, 'missing.pem'));
    const result = await runCli(['pull', 'org/model'], {
      dbPath: db.dbPath,
      env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(db.dir, 'cache') },
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /hub\.ca_bundle .*missing\.pem cannot be read \(ENOENT\)/);
  });

  test('a proxy that wants credentials (407, over CONNECT and plain http) or refuses connections is named, not hub.endpoint', async () => {
    hub = await startHubServer({ repos: REPOS, tls: ca.tls });
    proxy = await startProxy('ops:Sup3rSecret');
    const plainHub = await startHubServer({ repos: REPOS });
    const closed = await startProxy();
    const closedUrl = closed.url;
    await closed.close();
    try {
      db.store.config.set('hub.ca_bundle', ca.caPath);
      const cases: Array<[Record<string, string>, RegExp]> = [
        [
          { HF_ENDPOINT: hub.url, HTTPS_PROXY: proxy.url },
          /asks for credentials \(407 Proxy Authentication Required\)/,
        ],
        [
          { HF_ENDPOINT: plainHub.url, HTTP_PROXY: proxy.url.replace('//', '//ops:wrong@') },
          /asks for credentials \(407 Proxy Authentication Required\)/,
        ],
        [{ HF_ENDPOINT: plainHub.url, HTTP_PROXY: closedUrl }, /failed: connect ECONNREFUSED/],
      ];
      for (const [env, why] of cases) {
        const result = await runCli(['pull', 'org/model'], {
          dbPath: db.dbPath,
          env: { ...env, HF_HUB_CACHE: join(db.dir, 'cache'), HFSCHED_LOG_LEVEL: 'error' },
        });
        const proxyShown = (env.HTTPS_PROXY ?? env.HTTP_PROXY)!.replace(/\/\/[^@]*@/, '//***@');
        assert.equal(result.code, 1, result.stderr);
        assert.ok(result.stderr.includes(`the proxy ${proxyShown}`), result.stderr);
        assert.match(result.stderr, why);
        assert.match(result.stderr, /check the proxy \(hub\.proxy, or HTTPS_PROXY/);
        assert.doesNotMatch(result.stderr, /hub\.endpoint|Sup3rSecret|wrong@/);
      }
    } finally {
      await plainHub.close();
    }
  });

  test('a hub.ca_bundle that is a FIFO, /dev/zero, a folder or a huge file is refused at once with one line, exit 2', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    const fifo = join(db.dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const huge = join(db.dir, 'huge.pem');
    // Sparse: 9 MiB that take no room.
    writeFileSync(huge, '');
    truncateSync(huge, 9 * 1024 * 1024);
    const cases: Array<[string, RegExp]> = [
      [fifo, /it is a FIFO/],
      ['/dev/zero', /it is a device/],
      [db.dir, /it is a folder/],
      [huge, /9437184 bytes, over the 8 MiB a bundle may hold/],
    ];
    for (const [path, why] of cases) {
      db.store.config.set('hub.ca_bundle', path);
      // Before the fix a FIFO blocked the process for good: the timeout turns that into a failure.
      const result = await runCli(['pull', 'org/model'], {
        dbPath: db.dbPath,
        env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(db.dir, 'cache') },
        timeoutMs: 15_000,
      });
      assert.equal(result.code, 2, `${path}: ${result.stderr}`);
      // `pull` notes the model it adds before it fetches; the error is the one other line.
      const lines = result.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('hfsched: note:'));
      assert.equal(lines.length, 1, result.stderr);
      assert.ok(lines[0]!.includes(`hub.ca_bundle ${path} cannot be read`), lines[0]);
      assert.match(lines[0]!, why);
    }
  });
});
