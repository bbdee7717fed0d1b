import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHubFixture, patternBytes, requestsFor, type HubFixture } from './fixtures.js';

const weights = patternBytes(200_000);
let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    {
      id: 'org/private-model',
      private: true,
      renamedFrom: ['org/old-name'],
      revisions: {
        main: [
          { path: 'config.json', content: '{}' },
          { path: 'model.safetensors', content: weights },
        ],
      },
    },
  ]);
});
after(() => fx.cleanup());

test('an LFS file is fetched from the CDN host it redirects to, without the token', async () => {
  fx.hub.clearLog();
  const result = await fx.pull('org/private-model', { token: fx.hub.token });
  assert.deepEqual(readFileSync(join(result.snapshotPath, 'model.safetensors')), weights);
  const cdnRequests = fx.hub.requests.filter((request) => request.host === 'cdn');
  assert.ok(cdnRequests.length >= 1, 'the weights came from the CDN');
  for (const request of cdnRequests) assert.equal(request.authorization, null);
  const hubRequests = fx.hub.requests.filter((request) => request.host === 'hub');
  for (const request of hubRequests) assert.equal(request.authorization, `Bearer ${fx.hub.token}`);
});

test('requests ask for the identity encoding and name hfsched as the user agent', async () => {
  const seen: Array<{ encoding: string | undefined; agent: string | undefined }> = [];
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    seen.push({ encoding: req.headers['accept-encoding'], agent: req.headers['user-agent'] });
    res.writeHead(404, { 'X-Error-Code': 'RepoNotFound' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  try {
    await assert.rejects(fx.pull('org/any', { endpoint: `http://127.0.0.1:${address.port}` }));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.equal(seen[0]?.encoding, 'identity');
  assert.match(seen[0]?.agent ?? '', /^hfsched\/\d+\.\d+\.\d+/);
});

test('a relative redirect of a renamed repository is followed with the token', async () => {
  fx.hub.clearLog();
  const result = await fx.pull('org/old-name', { token: fx.hub.token, include: ['config.json'] });
  assert.equal(readFileSync(join(result.snapshotPath, 'config.json'), 'utf8'), '{}');
  const redirected = requestsFor(fx.hub, '/org/private-model/').filter((request) => request.host === 'hub');
  assert.ok(redirected.length >= 1, 'the new location was asked for');
  for (const request of redirected) assert.equal(request.authorization, `Bearer ${fx.hub.token}`);
});

test('an expired CDN link is replaced by a fresh one from the Hub', async () => {
  const own = await createHubFixture([
    { id: 'org/cdn', revisions: { main: [{ path: 'w.safetensors', content: weights }] } },
  ]);
  try {
    own.hub.addFault({ kind: 'expire-cdn', times: 1 });
    const result = await own.pull('org/cdn');
    assert.deepEqual(readFileSync(join(result.snapshotPath, 'w.safetensors')), weights);
    const resolves = own.hub.requests.filter((request) => request.host === 'hub' && request.path.includes('/resolve/'));
    assert.equal(resolves.length, 2, 'resolve was asked twice: once more after the 403');
  } finally {
    await own.cleanup();
  }
});
