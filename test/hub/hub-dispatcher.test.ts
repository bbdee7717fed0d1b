import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { HubDispatcher } from '../../src/hub/protocol/hub-dispatcher.js';
import { HubNetwork, type HubNetworkOptions } from '../../src/hub/protocol/hub-network.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { startProxy, type LoggingProxy } from '../support/logging-proxy.js';
import { createTestCa, type TestCa } from '../support/test-ca.js';

const REPOS = [
  {
    id: 'org/tiny',
    revisions: {
      main: [
        { path: 'config.json', content: '{"a":1}' },
        { path: 'model.safetensors', content: Buffer.alloc(4096, 7) },
      ],
    },
  },
];

/** What a download asks: the revision, a small file, and a large one through its CDN redirect. Returns the URLs asked. */
async function fetchLikeADownload(hub: HubServer, dispatcher: HubDispatcher): Promise<string[]> {
  const asked: string[] = [];
  const get = async (url: string, token = true) => {
    asked.push(url);
    const answer = await request(url, {
      dispatcher,
      headers: token && url.startsWith(hub.url) ? { authorization: `Bearer ${hub.token}` } : {},
    });
    const body = await answer.body.text();
    return { status: answer.statusCode, location: answer.headers.location as string | undefined, body };
  };
  assert.equal((await get(`${hub.url}/api/models/org/tiny/revision/main?blobs=true`)).status, 200);
  assert.equal((await get(hub.resolveUrl('org/tiny', 'main', 'config.json'))).body, '{"a":1}');
  const redirect = await get(hub.resolveUrl('org/tiny', 'main', 'model.safetensors'));
  assert.equal(redirect.status, 302);
  assert.equal((await get(new URL(redirect.location ?? '', hub.url).href, false)).body.length, 4096);
  return asked;
}

describe('the Hub dispatcher with a real forward proxy', () => {
  let hub: HubServer | null = null;
  let proxy: LoggingProxy | null = null;
  let dispatcher: HubDispatcher | null = null;
  const use = (options: Partial<HubNetworkOptions>): HubDispatcher => {
    dispatcher = new HubDispatcher(new HubNetwork({ env: {}, proxySetting: '', caBundlePath: null, ...options }));
    return dispatcher;
  };
  afterEach(async () => {
    await dispatcher?.destroy();
    await hub?.close();
    await proxy?.close();
    [hub, proxy, dispatcher] = [null, null, null];
  });

  test("with HTTP_PROXY, the proxy's log shows every request to a plain-http Hub and its CDN", async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    const asked = await fetchLikeADownload(hub, use({ env: { HTTP_PROXY: proxy.url } }));
    assert.deepEqual(
      proxy.log,
      asked.map((url) => `GET ${url}`),
    );
    assert.equal(hub.requests.length, asked.length);
  });

  test('NO_PROXY sends the hosts it lists direct, and the others still through the proxy', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    const asked = await fetchLikeADownload(hub, use({ env: { http_proxy: proxy.url, no_proxy: '127.0.0.2' } }));
    const viaHub = asked.filter((url) => url.startsWith(hub!.url));
    assert.deepEqual(
      proxy.log,
      viaHub.map((url) => `GET ${url}`),
    );
    assert.ok(
      hub.requests.some((entry) => entry.host === 'cdn' && entry.status === 200),
      'the CDN was reached',
    );
  });

  test('the hub.proxy setting replaces the environment, and "direct" turns the proxy off', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy();
    // The environment names a port where nothing listens: used, it would fail.
    await fetchLikeADownload(hub, use({ env: { HTTP_PROXY: 'http://127.0.0.1:9' }, proxySetting: proxy.url }));
    assert.equal(proxy.log.length, 4);
    await dispatcher?.destroy();
    await fetchLikeADownload(hub, use({ env: { HTTP_PROXY: proxy.url }, proxySetting: 'direct' }));
    assert.equal(proxy.log.length, 4);
  });

  test('proxy credentials go to the proxy alone; the Hub gets its token and never them', async () => {
    hub = await startHubServer({ repos: REPOS });
    proxy = await startProxy('hf user:s3cr@t');
    const withCredentials = proxy.url.replace('//', '//hf%20user:s3cr%40t@');
    const used = use({ env: { HTTP_PROXY: withCredentials } });
    await fetchLikeADownload(hub, used);
    assert.equal(proxy.credentials.length, 4);
    assert.ok(
      proxy.credentials.every((header) => header === `Basic ${Buffer.from('hf user:s3cr@t').toString('base64')}`),
    );
    assert.equal(used.network.describeRoute(new URL(hub.url)), `via proxy http://***@${new URL(proxy.url).host}`);
  });
});

describe('the Hub dispatcher over https through CONNECT', () => {
  let ca: TestCa;
  before(() => {
    ca = createTestCa();
  });
  after(() => ca.cleanup());
  let hub: HubServer | null = null;
  let proxy: LoggingProxy | null = null;
  let dispatcher: HubDispatcher | null = null;
  afterEach(async () => {
    await dispatcher?.destroy();
    await hub?.close();
    await proxy?.close();
    [hub, proxy, dispatcher] = [null, null, null];
  });

  test('with the test CA as hub.ca_bundle, the https Hub is reached through CONNECT and the proxy sees only hosts', async () => {
    hub = await startHubServer({ repos: REPOS, tls: ca.tls });
    proxy = await startProxy('user:pw');
    dispatcher = new HubDispatcher(
      new HubNetwork({
        env: { HTTPS_PROXY: proxy.url.replace('//', '//user:pw@') },
        proxySetting: '',
        caBundlePath: ca.caPath,
      }),
    );
    await fetchLikeADownload(hub, dispatcher);
    const hosts = new Set([new URL(hub.url).host, new URL(hub.cdnUrl).host]);
    assert.ok(proxy.log.length >= 2);
    for (const line of proxy.log) {
      const [method, target = ''] = line.split(' ');
      assert.equal(method, 'CONNECT', line);
      assert.ok(hosts.has(target), line);
    }
    assert.ok(
      hub.requests.every((entry) => entry.status > 0),
      'every request reached the Hub through the tunnel',
    );
  });

  test('without the CA, the https Hub is refused: its certificate is not trusted', async () => {
    hub = await startHubServer({ repos: REPOS, tls: ca.tls });
    proxy = await startProxy();
    dispatcher = new HubDispatcher(
      new HubNetwork({ env: { HTTPS_PROXY: proxy.url }, proxySetting: '', caBundlePath: null }),
    );
    await assert.rejects(request(`${hub.url}/api/models/org/tiny`, { dispatcher }), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  test('a CA bundle that cannot be read is a clear error naming the setting', () => {
    assert.throws(
      () => new HubNetwork({ env: {}, proxySetting: '', caBundlePath: '/nonexistent/ca.pem' }),
      /^ValidationError: hub\.ca_bundle \/nonexistent\/ca\.pem cannot be read \(ENOENT\)/,
    );
  });
});
