import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ConstraintError, DownloadError, NotFoundError, ValidationError } from '../../src/errors.js';
import { validateRepoId } from '../../src/repo-id.js';
import { createHubFixture, type HubFixture } from './fixtures.js';

let fx: HubFixture;

before(async () => {
  fx = await createHubFixture([
    { id: 'org/public', revisions: { main: [{ path: 'config.json', content: '{}' }] } },
    { id: 'org/secret', private: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } },
    { id: 'org/gated', gated: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } },
  ]);
});
after(() => fx.cleanup());

test('a repository that does not exist says so and suggests a token', async () => {
  await assert.rejects(fx.pull('org/missing'), (error: Error) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.message, 'repository "org/missing" not found, or private: check the name, or set HF_TOKEN');
    return true;
  });
});

test('a private repository without a token looks like a missing one', async () => {
  await assert.rejects(
    fx.pull('org/secret'),
    (error: Error) => error instanceof NotFoundError && /or set HF_TOKEN/.test(error.message),
  );
});

test('a repository the token cannot see says to check the token', async () => {
  await assert.rejects(fx.pull('org/missing', { token: fx.hub.token }), (error: Error) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(
      error.message,
      'repository "org/missing" not found, or private: check the name, or that HF_TOKEN can read it',
    );
    return true;
  });
});

test('a rejected token names the endpoint and HF_TOKEN', async () => {
  await assert.rejects(fx.pull('org/public', { token: 'hf_wrong' }), (error: Error) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.message, `HF token rejected by ${fx.hub.url}: check HF_TOKEN (or the token file)`);
    return true;
  });
});

test('a gated repository tells the user to accept its terms on the model page', async () => {
  await assert.rejects(fx.pull('org/gated', { token: fx.hub.token }), (error: Error) => {
    assert.ok(error instanceof ConstraintError);
    assert.equal(
      error.message,
      `"org/gated" is gated: accept its terms at ${fx.hub.url}/org/gated, then retry with a token of that account (HF_TOKEN)`,
    );
    return true;
  });
});

test('an error built from a Hub answer carries its status, its X-Error-Code and the URL asked', async () => {
  await assert.rejects(fx.pull('org/missing'), (error: Error) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.status, 401);
    assert.equal(error.code, 'RepoNotFound');
    assert.ok(error.url?.startsWith(`${fx.hub.url}/api/models/org/missing`), String(error.url));
    return true;
  });
  await assert.rejects(fx.pull('org/gated', { token: fx.hub.token }), (error: Error) => {
    assert.ok(error instanceof ConstraintError);
    assert.equal(error.code, 'GatedRepo');
    return true;
  });
});

test('a download that fails after its retries keeps the last Hub answer: status 503, no code', async () => {
  fx.hub.addFault({ kind: 'status', pathContains: '/resolve/', status: 503, times: 10 });
  try {
    await assert.rejects(fx.pull('org/public', { maxRetries: 1 }), (error: Error) => {
      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.status, 503);
      assert.equal(error.code, null);
      assert.match(error.url ?? '', /\/org\/public\/resolve\/[0-9a-f]{40}\/config\.json$/);
      return true;
    });
  } finally {
    fx.hub.clearFaults();
  }
});

test('an error that did not come from the Hub has no Hub answer', async () => {
  await assert.rejects(fx.pull('../etc'), (error: Error) => {
    assert.ok(error instanceof ValidationError);
    assert.deepEqual([error.status, error.code, error.url], [null, null, null]);
    return true;
  });
});

test('a revision that does not exist is named in the error', async () => {
  await assert.rejects(fx.pull('org/public', { revision: 'v9' }), (error: Error) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.message, 'revision "v9" not found in "org/public": check the branch, tag or commit');
    return true;
  });
});

test('a repository id that is not one is refused before any request', async () => {
  fx.hub.clearLog();
  await assert.rejects(fx.pull('../etc'), ValidationError);
  await assert.rejects(fx.pull('org/a--b'), ValidationError);
  assert.equal(fx.hub.requests.length, 0);
});

test('the hub client refuses exactly the repository ids the store refuses, with the same message', async () => {
  for (const id of ['org/name.git', 'a/b/c', `org/${'x'.repeat(97)}`]) {
    const expected = (() => {
      try {
        validateRepoId(id);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    assert.notEqual(expected, null, `${id} is not a repo id`);
    await assert.rejects(fx.pull(id), (error: Error) => error instanceof ValidationError && error.message === expected);
  }
});

/**
 * A minimal Hub that lists whatever file names a test gives it (the test Hub
 * refuses unsafe ones) and answers EntryNotFound for every file.
 */
async function listingServer(paths: string[]): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.includes('/resolve/')) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Error-Message': 'Entry not found' }).end();
      return;
    }
    const siblings = paths.map((path) => ({ rfilename: path, size: 2, blobId: 'a'.repeat(40) }));
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ id: 'org/evil', sha: 'b'.repeat(40), siblings }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, hits };
}

for (const unsafe of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'dir\\..\\escape.txt', 'a//b']) {
  test(`a listed file named ${JSON.stringify(unsafe)} is refused before anything is written`, async () => {
    const { url, server, hits } = await listingServer(['config.json', unsafe]);
    try {
      await assert.rejects(fx.pull('org/evil', { endpoint: url }), (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.ok(
          error.message.startsWith(`refusing file ${JSON.stringify(unsafe)} listed by "org/evil"`),
          error.message,
        );
        return true;
      });
      assert.equal(hits.length, 1, 'only the listing was asked for');
      assert.equal(existsSync(join(fx.cacheDir, 'models--org--evil')), false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
}

test('a listed file the Hub then cannot find is named in the error', async () => {
  const { url, server } = await listingServer(['weights/model.bin']);
  try {
    await assert.rejects(fx.pull('org/evil', { endpoint: url }), (error: Error) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.message, 'file "weights/model.bin" not found in "org/evil" at revision "main"');
      return true;
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
