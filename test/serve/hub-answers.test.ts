/**
 * The mirror's answers where clients depend on their exact shape: the Hub's
 * errors (with the headers huggingface_hub reads: X-Error-Code, and
 * X-Repo-Commit on EntryNotFound so that it writes `.no_exist/`), ranges
 * (`bytes=0-0`, as @huggingface/hub asks), HEAD, paging, paths-info in both
 * clients' encodings, refs, tokens and `serve.expose`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createMirrorFixture, type MirrorFixture } from './mirror-fixture.js';

const weights = Buffer.alloc(256 * 1024);
for (let i = 0; i < weights.length; i += 4) weights.writeUInt32LE((i * 2654435761) >>> 0, i);
let fx: MirrorFixture;
let commit: string;

before(async () => {
  fx = await createMirrorFixture([
    {
      id: 'org/tiny',
      revisions: {
        main: [
          { path: 'config.json', content: '{"model_type": "tiny"}' },
          { path: 'model.safetensors', content: weights },
          { path: 'sub dir/notes #1.txt', content: 'notes' },
        ],
      },
    },
    { id: 'org/other', revisions: { main: [{ path: 'config.json', content: '{}' }] } },
    { id: 'org/corpus', type: 'dataset', revisions: { main: [{ path: 'data/train.csv', content: 'a,b\n1,2\n' }] } },
  ]);
  await fx.pull(['org/tiny']);
  await fx.pull(['--repo-type', 'dataset', 'org/corpus']);
  commit = fx.hub.commitOf('org/tiny', 'main');
});
after(() => fx.cleanup());

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return fetch(`${fx.mirror.url}${path}`, { method, headers });
}

describe('errors as the Hub sends them', () => {
  test('a missing file: 404 EntryNotFound with X-Repo-Commit, on GET and HEAD', async () => {
    for (const method of ['GET', 'HEAD']) {
      const answer = await get('/org/tiny/resolve/main/missing.bin', {}, method);
      assert.equal(answer.status, 404);
      assert.equal(answer.headers.get('x-error-code'), 'EntryNotFound');
      assert.equal(answer.headers.get('x-repo-commit'), commit);
      assert.match(answer.headers.get('x-error-message') ?? '', /missing\.bin/);
    }
  });

  test('a repo the mirror does not hold (on the Hub, but never pulled), and an unknown one: RepoNotFound', async () => {
    for (const path of [
      '/org/other/resolve/main/config.json',
      '/api/models/org/other',
      '/api/models/nobody/nothing/revision/main',
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.headers.get('x-error-code'), 'RepoNotFound', path);
    }
    // The mirror never asked the test Hub for it: it is read-only and offline.
    assert.equal(fx.hub.requests.filter((request) => request.path.includes('org/other')).length, 0);
  });

  test('a revision it does not serve: RevisionNotFound; the commit itself and HEAD are served', async () => {
    const other = await get('/api/models/org/tiny/revision/v2.0');
    assert.equal(other.status, 404);
    assert.equal(other.headers.get('x-error-code'), 'RevisionNotFound');
    const byCommit = (await (await get(`/api/models/org/tiny/revision/${commit}`)).json()) as { sha: string };
    assert.equal(byCommit.sha, commit);
    const byHead = (await (await get('/api/models/org/tiny/revision/HEAD')).json()) as { sha: string };
    assert.equal(byHead.sha, commit);
  });

  test('any other /api/ route: 404 with an X-Error-Code; another method: 405', async () => {
    for (const path of ['/api/whoami-v2', '/api/models', '/api/spaces/org/app', '/api/models/org/tiny/commits/main']) {
      const answer = await get(path);
      assert.equal(answer.status, 404, path);
      assert.notEqual(answer.headers.get('x-error-code'), null, path);
    }
    assert.equal((await get('/org/tiny/resolve/main/config.json', {}, 'DELETE')).status, 405);
  });
});

describe('resolve', () => {
  test('an LFS file: 200 at once with the headers huggingface_hub reads, and never a Xet header', async () => {
    const info = fx.hub.fileInfo('org/tiny', 'main', 'model.safetensors');
    const answer = await get('/org/tiny/resolve/main/model.safetensors', { 'accept-encoding': 'identity' }, 'HEAD');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-repo-commit'), commit);
    assert.equal(answer.headers.get('x-linked-etag'), `"${info.sha256}"`);
    assert.equal(answer.headers.get('x-linked-size'), String(weights.length));
    assert.equal(answer.headers.get('etag'), `"${info.sha256}"`);
    assert.equal(answer.headers.get('content-length'), String(weights.length));
    assert.equal(answer.headers.get('accept-ranges'), 'bytes');
    assert.equal(answer.headers.get('location'), null);
    assert.equal(answer.headers.get('link'), null);
    for (const name of answer.headers.keys()) assert.doesNotMatch(name, /^x-xet/i);
    const body = Buffer.from(await (await get('/org/tiny/resolve/main/model.safetensors')).arrayBuffer());
    assert.deepEqual(body, weights);
  });

  test('a small file: ETag is its git blob id and there is no X-Linked-*; a path with spaces and # encoded', async () => {
    const answer = await get('/org/tiny/resolve/main/config.json');
    assert.equal(answer.headers.get('etag'), `"${fx.hub.fileInfo('org/tiny', 'main', 'config.json').blobId}"`);
    assert.equal(answer.headers.get('x-linked-etag'), null);
    assert.equal(await answer.text(), '{"model_type": "tiny"}');
    const odd = await get(
      `/org/tiny/resolve/main/${encodeURIComponent('sub dir')}/${encodeURIComponent('notes #1.txt')}`,
    );
    assert.equal(await odd.text(), 'notes');
  });

  test('ranges: bytes=0-0 (size and etag), bytes=N-, a suffix, one past the end (416)', async () => {
    const first = await get('/org/tiny/resolve/main/model.safetensors', { range: 'bytes=0-0' });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-0/${weights.length}`);
    assert.deepEqual(Buffer.from(await first.arrayBuffer()), weights.subarray(0, 1));
    const rest = await get('/org/tiny/resolve/main/model.safetensors', { range: 'bytes=1000-' });
    assert.equal(rest.status, 206);
    assert.deepEqual(Buffer.from(await rest.arrayBuffer()), weights.subarray(1000));
    const tail = await get('/org/tiny/resolve/main/model.safetensors', { range: 'bytes=-10' });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), weights.subarray(weights.length - 10));
    const past = await get('/org/tiny/resolve/main/model.safetensors', { range: `bytes=${weights.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${weights.length}`);
  });

  test('HEAD sends no body: the socket carries the head and nothing after it', async () => {
    const { port } = new URL(fx.mirror.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'HEAD /org/tiny/resolve/main/model.safetensors HTTP/1.1\r\nHost: mirror\r\nConnection: close\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, new RegExp(`^HTTP/1.1 200 OK\r\n[^]*content-length: ${weights.length}\r\n`, 'i'));
    assert.equal(raw.indexOf('\r\n\r\n'), raw.length - 4);
  });

  test('datasets are served under datasets/, with their own API prefix', async () => {
    const answer = await get('/datasets/org/corpus/resolve/main/data/train.csv');
    assert.equal(await answer.text(), 'a,b\n1,2\n');
    const info = (await (await get('/api/datasets/org/corpus/revision/main')).json()) as { id: string; sha: string };
    assert.deepEqual(info, { ...info, id: 'org/corpus', sha: fx.hub.commitOf('datasets/org/corpus', 'main') });
    assert.equal((await get('/api/models/org/corpus')).headers.get('x-error-code'), 'RepoNotFound');
  });

  test("a blob linked out of the cache is not served; the shared blob store's link is", async () => {
    const sha = fx.hub.fileInfo('org/tiny', 'main', 'model.safetensors').sha256;
    const blob = join(fx.cacheDir, 'models--org--tiny', 'blobs', sha);
    if (!lstatSync(blob).isSymbolicLink()) {
      // Make it the official client's shared store: blobs/{xx}/{xet} in a marked store, the repo blob a relative link.
      const xet = 'ab'.repeat(32);
      mkdirSync(join(fx.cacheDir, 'blobs', 'ab'), { recursive: true });
      writeFileSync(join(fx.cacheDir, 'blobs', '.huggingface-shared-blobs'), '1\n');
      renameSync(blob, join(fx.cacheDir, 'blobs', 'ab', xet));
      symlinkSync(`../../blobs/ab/${xet}`, blob);
    }
    assert.match(readlinkSync(blob), /^\.\.\/\.\.\/blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    const shared = await get('/org/tiny/resolve/main/model.safetensors');
    assert.deepEqual(Buffer.from(await shared.arrayBuffer()), weights);
    // Any other link, even to the same bytes outside the cache, is not followed.
    const outside = join(fx.db.dir, 'outside.bin');
    writeFileSync(outside, weights);
    renameSync(blob, `${blob}.kept`);
    symlinkSync(outside, blob);
    try {
      const refused = await get('/org/tiny/resolve/main/model.safetensors');
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('x-repo-commit'), null);
    } finally {
      unlinkSync(blob);
      renameSync(`${blob}.kept`, blob);
    }
  });
});

describe('listings', () => {
  test('refs: the followed branch at the served commit', async () => {
    const refs = await (await get('/api/models/org/tiny/refs')).json();
    assert.deepEqual(refs, {
      branches: [{ name: 'main', ref: 'refs/heads/main', targetCommit: commit }],
      converts: [],
      tags: [],
    });
  });

  test('paths-info: JSON (@huggingface/hub) and form fields (huggingface_hub) give the same entries', async () => {
    const json = await fetch(`${fx.mirror.url}/api/models/org/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['config.json', 'sub dir', 'nope'], expand: true }),
    });
    const form = await fetch(`${fx.mirror.url}/api/models/org/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paths=config.json&paths=sub+dir&paths=nope&expand=True',
    });
    const fromJson = (await json.json()) as { path: string; type: string; lastCommit: { id: string } }[];
    assert.deepEqual(
      fromJson.map((entry) => [entry.path, entry.type]),
      [
        ['config.json', 'file'],
        ['sub dir', 'directory'],
      ],
    );
    assert.equal(fromJson[0]!.lastCommit.id, commit);
    assert.deepEqual(await form.json(), fromJson);
  });

  test('the tree pages at 1000 entries with Link rel="next", every entry once', async () => {
    // Recorded files only: listing reads the database, not the cache.
    const many = Array.from({ length: 2345 }, (_, index) => ({
      path: `shards/part-${String(index).padStart(5, '0')}.txt`,
      hashKind: 'gitsha1' as const,
      hash: (index + 1).toString(16).padStart(40, '0'),
      size: index,
    }));
    const model = fx.db.store.models.create({ name: 'org/many' });
    const session = fx.db.store.downloads.begin({ modelId: model.id, scheduleId: null });
    fx.db.store.downloads.complete(session.id, {
      downloadPath: '/x',
      sizeBytes: 0,
      commit: 'c'.repeat(40),
      files: many,
    });
    const seen: string[] = [];
    let url: string | null = `${fx.mirror.url}/api/models/org/many/tree/main?recursive=True&expand=False`;
    let pages = 0;
    while (url !== null) {
      const answer: Response = await fetch(url);
      const page = (await answer.json()) as { path: string; xetHash?: string }[];
      pages += 1;
      assert.ok(page.length <= 1000);
      assert.ok(page.every((entry) => entry.xetHash === undefined));
      seen.push(...page.map((entry) => entry.path));
      url = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['shards', ...many.map((file) => file.path)]);
  });
});

describe('access', () => {
  test('serve.tokens_file: 401 without a listed token, answered with one; re-read when it changes', async () => {
    const tokens = join(fx.db.dir, 'tokens');
    writeFileSync(tokens, '# fleet\nfirst-token\n');
    fx.settings.tokensFile = tokens;
    try {
      assert.equal((await get('/api/models/org/tiny')).status, 401);
      assert.equal((await get('/api/models/org/tiny', { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await get('/api/models/org/tiny', { authorization: 'Bearer first-token' })).status, 200);
    } finally {
      fx.settings.tokensFile = null;
    }
    assert.equal((await get('/api/models/org/tiny')).status, 200);
  });

  test('serve.expose narrows what is served; the rest is RepoNotFound', async () => {
    fx.settings.expose = ['datasets/*'];
    try {
      assert.equal((await get('/api/models/org/tiny')).headers.get('x-error-code'), 'RepoNotFound');
      assert.equal((await get('/api/datasets/org/corpus')).status, 200);
    } finally {
      fx.settings.expose = [];
    }
  });

  test('/metrics counts requests by route and status, bytes sent and not-found answers', async () => {
    const text = await (await get('/metrics')).text();
    assert.match(text, /hfsched_mirror_requests_total\{route="resolve",status="200"\} [1-9]/);
    assert.match(text, /hfsched_mirror_requests_total\{route="resolve",status="404"\} [1-9]/);
    assert.match(text, /hfsched_mirror_not_found_total\{code="EntryNotFound"\} [1-9]/);
    assert.match(text, /hfsched_mirror_not_found_total\{code="RepoNotFound"\} [1-9]/);
    const sent = Number(/hfsched_mirror_sent_bytes_total (\d+)/.exec(text)?.[1]);
    assert.ok(sent >= weights.length, `${sent} bytes sent`);
  });
});
