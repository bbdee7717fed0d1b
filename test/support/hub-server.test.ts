/**
 * The test Hub server behaves like the Hub (docs/hub-protocol.md) and each fault works.
 * Plain fetch and node:http only: this proves the server, not the client.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitBlobSha1, startHubServer, type HubServer } from './hub-server.js';

/** Deterministic bytes that differ from offset to offset, so a range or a flipped byte shows. */
function patterned(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return data;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const CONFIG = '{"model_type":"bert"}';
const WEIGHTS_MAIN = patterned(256 * 1024, 1);
const WEIGHTS_V1 = patterned(200 * 1024, 2);
const NOTES = patterned(64 * 1024, 3); // a regular (non-LFS) file large enough for ranges and faults

/** Answer of a raw HTTP GET that keeps whatever arrived, even from a cut connection. */
interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => undefined); // a cut body ends in 'close' with complete === false
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function cdnLocation(hub: HubServer, repoId: string, path: string): Promise<string> {
  const answer = await fetch(hub.resolveUrl(repoId, 'main', path), { redirect: 'manual' });
  await answer.arrayBuffer();
  const location = answer.headers.get('location');
  assert.ok(location, `no Location for ${path}`);
  return location;
}

describe('test Hub server', () => {
  let hub: HubServer;
  let diskFolder: string;
  const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${hub.token}` });

  before(async () => {
    diskFolder = mkdtempSync(join(tmpdir(), 'hub-server-test-'));
    const diskFile = join(diskFolder, 'big.gguf');
    writeFileSync(diskFile, patterned(3 * 1024 * 1024, 4));
    hub = await startHubServer({
      treePageSize: 3,
      repos: [
        {
          id: 'org/model',
          revisions: {
            main: [
              { path: 'config.json', content: CONFIG },
              { path: 'notes.txt', content: NOTES },
              { path: 'model.safetensors', content: WEIGHTS_MAIN },
              { path: 'tokenizer/vocab.txt', content: 'a\nb\n' },
              { path: 'tokenizer/extra/merges.txt', content: 'a b\n' },
            ],
            'v1.0': [
              { path: 'config.json', content: CONFIG },
              { path: 'model.safetensors', content: WEIGHTS_V1 },
            ],
            'refs/pr/1': [{ path: 'config.json', content: '{"pr":1}' }],
          },
        },
        { id: 'org/private', private: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } },
        { id: 'org/gated', gated: true, revisions: { main: [{ path: 'config.json', content: '{}' }] } },
        {
          id: 'org/gated-accepted',
          gated: true,
          gatedAccessGranted: true,
          revisions: { main: [{ path: 'config.json', content: '{}' }] },
        },
        {
          id: 'org/new-name',
          renamedFrom: ['org/old-name'],
          revisions: { main: [{ path: 'config.json', content: '{"renamed":true}' }] },
        },
        { id: 'bare', revisions: { main: [{ path: 'config.json', content: '{"bare":true}' }] } },
        { id: 'org/disk', revisions: { main: [{ path: 'big.gguf', content: { diskPath: diskFile } }] } },
        { id: 'org/copy', revisions: { main: [{ path: 'weights.safetensors', content: WEIGHTS_MAIN }] } },
        {
          id: 'org/plain-lfs',
          xet: false,
          revisions: { main: [{ path: 'model.safetensors', content: WEIGHTS_MAIN }] },
        },
      ],
    });
  });

  after(async () => {
    await hub.close();
    rmSync(diskFolder, { recursive: true, force: true });
  });

  afterEach(() => {
    hub.clearFaults();
    hub.clearLog();
  });

  describe('model API', () => {
    test('the revision endpoint names the commit and lists the files', async () => {
      const answer = await fetch(`${hub.url}/api/models/org/model/revision/main`);
      assert.equal(answer.status, 200);
      const info = (await answer.json()) as {
        id: string;
        sha: string;
        siblings: { rfilename: string; size?: number }[];
      };
      assert.equal(info.id, 'org/model');
      assert.equal(info.sha, hub.commitOf('org/model', 'main'));
      assert.match(info.sha, /^[0-9a-f]{40}$/);
      assert.deepEqual(
        info.siblings.map((s) => s.rfilename),
        ['config.json', 'model.safetensors', 'notes.txt', 'tokenizer/extra/merges.txt', 'tokenizer/vocab.txt'],
      );
      assert.equal(info.siblings[0]!.size, undefined);
    });

    test('with blobs=true each file has its size, blob id and, for LFS files, sha256 and pointer size', async () => {
      const answer = await fetch(`${hub.url}/api/models/org/model/revision/main?blobs=true`);
      const info = (await answer.json()) as {
        siblings: {
          rfilename: string;
          size: number;
          blobId: string;
          lfs?: { sha256: string; size: number; pointerSize: number };
        }[];
      };
      const config = info.siblings.find((s) => s.rfilename === 'config.json')!;
      assert.deepEqual(config, {
        rfilename: 'config.json',
        size: CONFIG.length,
        blobId: gitBlobSha1(Buffer.from(CONFIG)),
      });
      const weights = info.siblings.find((s) => s.rfilename === 'model.safetensors')!;
      assert.equal(weights.size, WEIGHTS_MAIN.length);
      assert.equal(weights.lfs?.sha256, sha256(WEIGHTS_MAIN));
      assert.equal(weights.lfs?.size, WEIGHTS_MAIN.length);
      assert.equal(weights.blobId, hub.fileInfo('org/model', 'main', 'model.safetensors').blobId);
      assert.ok(weights.lfs!.pointerSize > 100 && weights.lfs!.pointerSize < 200);
    });

    test('a revision may be a tag, an encoded ref or a commit hash', async () => {
      const tag = (await (await fetch(`${hub.url}/api/models/org/model/revision/v1.0`)).json()) as { sha: string };
      assert.equal(tag.sha, hub.commitOf('org/model', 'v1.0'));
      const pr = (await (await fetch(`${hub.url}/api/models/org/model/revision/refs%2Fpr%2F1`)).json()) as {
        sha: string;
      };
      assert.equal(pr.sha, hub.commitOf('org/model', 'refs/pr/1'));
      const commit = hub.commitOf('org/model', 'v1.0');
      const byCommit = (await (await fetch(`${hub.url}/api/models/org/model/revision/${commit}`)).json()) as {
        sha: string;
      };
      assert.equal(byCommit.sha, commit);
    });

    test('two revisions that share a file give it the same blob id and sha256 but have different commits', () => {
      const main = hub.fileInfo('org/model', 'main', 'config.json');
      const v1 = hub.fileInfo('org/model', 'v1.0', 'config.json');
      assert.deepEqual(main, v1);
      assert.notEqual(
        hub.fileInfo('org/model', 'main', 'model.safetensors').sha256,
        hub.fileInfo('org/model', 'v1.0', 'model.safetensors').sha256,
      );
      assert.notEqual(hub.commitOf('org/model', 'main'), hub.commitOf('org/model', 'v1.0'));
    });

    test('a bare repository id (no organisation) works', async () => {
      const answer = await fetch(`${hub.url}/api/models/bare/revision/main`);
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { id: string }).id, 'bare');
    });

    test('the recursive tree comes in pages linked by an absolute Link rel="next" URL', async () => {
      const entries: { type: string; path: string; size: number; oid: string; lfs?: { oid: string } }[] = [];
      let next: string | null = `${hub.url}/api/models/org/model/tree/main?recursive=true`;
      let pages = 0;
      while (next) {
        const answer: Response = await fetch(next);
        assert.equal(answer.status, 200);
        entries.push(...((await answer.json()) as typeof entries));
        pages++;
        const link = answer.headers.get('link');
        next = link ? /^<([^>]+)>;\s*rel="next"$/.exec(link)![1]! : null;
        if (next) assert.ok(next.startsWith(`${hub.url}/`), next);
      }
      assert.equal(pages, 3); // 7 entries, 3 per page
      assert.deepEqual(
        entries.map((e) => `${e.type} ${e.path}`),
        [
          'file config.json',
          'file model.safetensors',
          'file notes.txt',
          'directory tokenizer',
          'directory tokenizer/extra',
          'file tokenizer/extra/merges.txt',
          'file tokenizer/vocab.txt',
        ],
      );
      const weights = entries.find((e) => e.path === 'model.safetensors')!;
      assert.equal(weights.lfs?.oid, sha256(WEIGHTS_MAIN));
      assert.equal(weights.size, WEIGHTS_MAIN.length);
    });

    test('a non-recursive tree of a folder lists only its direct children', async () => {
      const answer = await fetch(`${hub.url}/api/models/org/model/tree/main/tokenizer`);
      const entries = (await answer.json()) as { type: string; path: string }[];
      assert.deepEqual(
        entries.map((e) => `${e.type} ${e.path}`),
        ['directory tokenizer/extra', 'file tokenizer/vocab.txt'],
      );
    });
  });

  describe('resolve', () => {
    test('a regular file is served directly with its commit, quoted blob id and length', async () => {
      const answer = await fetch(hub.resolveUrl('org/model', 'main', 'config.json'), { redirect: 'manual' });
      assert.equal(answer.status, 200);
      const body = Buffer.from(await answer.arrayBuffer());
      assert.equal(body.toString(), CONFIG);
      assert.equal(answer.headers.get('etag'), `"${gitBlobSha1(body)}"`);
      assert.equal(answer.headers.get('x-repo-commit'), hub.commitOf('org/model', 'main'));
      assert.equal(answer.headers.get('content-length'), String(CONFIG.length));
      assert.equal(answer.headers.get('accept-ranges'), 'bytes');
      assert.equal(answer.headers.get('x-linked-etag'), null);
    });

    test('HEAD answers the headers without a body', async () => {
      const answer = await rawGetHead(hub.resolveUrl('org/model', 'main', 'notes.txt'));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], String(NOTES.length));
      assert.equal(answer.body.length, 0);
      assert.equal(hub.requests.at(-1)?.method, 'HEAD');
      assert.equal(hub.requests.at(-1)?.bodyBytesSent, 0);
    });

    test('an LFS file redirects (302) to a signed URL on the CDN host, with its sha256 and size in X-Linked headers', async () => {
      const answer = await fetch(hub.resolveUrl('org/model', 'main', 'model.safetensors'), {
        method: 'HEAD',
        redirect: 'manual',
      });
      assert.equal(answer.status, 302);
      assert.equal(answer.headers.get('x-linked-etag'), `"${sha256(WEIGHTS_MAIN)}"`);
      assert.equal(answer.headers.get('x-linked-size'), String(WEIGHTS_MAIN.length));
      assert.equal(answer.headers.get('x-repo-commit'), hub.commitOf('org/model', 'main'));
      const location = new URL(answer.headers.get('location')!);
      assert.equal(location.origin, hub.cdnUrl);
      assert.equal(new URL(hub.cdnUrl).hostname, '127.0.0.2');
      assert.ok(location.searchParams.get('expires'));
      const blob = await fetch(location);
      assert.equal(blob.status, 200);
      assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(WEIGHTS_MAIN));
    });

    test('a Xet-backed LFS file also carries X-Xet-Hash and the xet-auth Link, and still redirects to the bridge', async () => {
      const info = hub.fileInfo('org/model', 'main', 'model.safetensors');
      assert.match(info.xetHash ?? '', /^[0-9a-f]{64}$/);
      assert.notEqual(info.xetHash, info.sha256);
      const answer = await fetch(hub.resolveUrl('org/model', 'main', 'model.safetensors'), { redirect: 'manual' });
      await answer.arrayBuffer();
      assert.equal(answer.status, 302);
      assert.equal(answer.headers.get('x-xet-hash'), info.xetHash);
      const commit = hub.commitOf('org/model', 'main');
      assert.equal(
        answer.headers.get('link'),
        `<${hub.url}/api/models/org/model/xet-read-token/${commit}>; rel="xet-auth"`,
      );
      assert.equal(new URL(answer.headers.get('location')!).origin, hub.cdnUrl);
      // Regular files are plain git blobs; a repo marked xet: false serves plain LFS.
      const config = await fetch(hub.resolveUrl('org/model', 'main', 'config.json'));
      await config.arrayBuffer();
      assert.equal(config.headers.get('x-xet-hash'), null);
      assert.equal(hub.fileInfo('org/model', 'main', 'config.json').xetHash, null);
      const plain = await fetch(hub.resolveUrl('org/plain-lfs', 'main', 'model.safetensors'), { redirect: 'manual' });
      await plain.arrayBuffer();
      assert.equal(plain.headers.get('x-xet-hash'), null);
      assert.equal(plain.headers.get('link'), null);
    });

    test('the same bytes in two repos have the same Xet hash, listed as xetHash in the tree', async () => {
      const info = hub.fileInfo('org/model', 'main', 'model.safetensors');
      assert.equal(hub.fileInfo('org/copy', 'main', 'weights.safetensors').xetHash, info.xetHash);
      const tree = (await (await fetch(`${hub.url}/api/models/org/copy/tree/main?recursive=true`)).json()) as {
        path: string;
        xetHash?: string;
      }[];
      assert.equal(tree[0]!.xetHash, info.xetHash);
      const plain = (await (await fetch(`${hub.url}/api/models/org/plain-lfs/tree/main`)).json()) as {
        xetHash?: string;
      }[];
      assert.equal(plain[0]!.xetHash, undefined);
    });

    test('the resolve URL of a tag serves that revision and names its commit', async () => {
      const answer = await fetch(hub.resolveUrl('org/model', 'v1.0', 'model.safetensors'), { redirect: 'manual' });
      await answer.arrayBuffer();
      assert.equal(answer.headers.get('x-repo-commit'), hub.commitOf('org/model', 'v1.0'));
      assert.equal(answer.headers.get('x-linked-etag'), `"${sha256(WEIGHTS_V1)}"`);
    });

    test('a file on disk is streamed and its hashes are computed when the repo is added', async () => {
      const info = hub.fileInfo('org/disk', 'main', 'big.gguf');
      assert.equal(info.lfs, true);
      assert.equal(info.etag, info.sha256);
      const blob = await fetch(await cdnLocation(hub, 'org/disk', 'big.gguf'));
      assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), info.sha256);
    });

    test('a renamed repository answers 307 with a relative Location to its new id', async () => {
      const answer = await fetch(hub.resolveUrl('org/old-name', 'main', 'config.json'), {
        redirect: 'manual',
        headers: bearer(),
      });
      assert.equal(answer.status, 307);
      assert.equal(answer.headers.get('location'), '/org/new-name/resolve/main/config.json');
      const followed = await fetch(new URL(answer.headers.get('location')!, hub.url), { headers: bearer() });
      assert.equal(await followed.text(), '{"renamed":true}');
    });
  });

  describe('ranges', () => {
    test('bytes=N- on the Hub answers 206 with the rest of the file and its Content-Range', async () => {
      const answer = await fetch(hub.resolveUrl('org/model', 'main', 'notes.txt'), {
        headers: { Range: 'bytes=1000-' },
      });
      assert.equal(answer.status, 206);
      assert.equal(answer.headers.get('content-range'), `bytes 1000-${NOTES.length - 1}/${NOTES.length}`);
      assert.deepEqual(Buffer.from(await answer.arrayBuffer()), NOTES.subarray(1000));
    });

    test('bytes=N-M on the CDN answers exactly those bytes', async () => {
      const answer = await fetch(await cdnLocation(hub, 'org/model', 'model.safetensors'), {
        headers: { Range: 'bytes=10-19' },
      });
      assert.equal(answer.status, 206);
      assert.equal(answer.headers.get('content-range'), `bytes 10-19/${WEIGHTS_MAIN.length}`);
      assert.deepEqual(Buffer.from(await answer.arrayBuffer()), WEIGHTS_MAIN.subarray(10, 20));
    });

    test('a range starting past the end answers 416 with the size', async () => {
      const hubAnswer = await fetch(hub.resolveUrl('org/model', 'main', 'notes.txt'), {
        headers: { Range: `bytes=${NOTES.length}-` },
      });
      assert.equal(hubAnswer.status, 416);
      assert.equal(hubAnswer.headers.get('content-range'), `bytes */${NOTES.length}`);
      const cdnAnswer = await fetch(await cdnLocation(hub, 'org/model', 'model.safetensors'), {
        headers: { Range: `bytes=${WEIGHTS_MAIN.length + 5}-` },
      });
      assert.equal(cdnAnswer.status, 416);
      assert.equal(cdnAnswer.headers.get('content-range'), `bytes */${WEIGHTS_MAIN.length}`);
    });
  });

  describe('errors', () => {
    const expectError = async (
      url: string,
      headers: Record<string, string>,
      status: number,
      code: string | null,
    ): Promise<Response> => {
      const answer = await fetch(url, { headers, redirect: 'manual' });
      await answer.arrayBuffer();
      assert.equal(answer.status, status, url);
      assert.equal(answer.headers.get('x-error-code'), code, url);
      assert.ok(answer.headers.get('x-error-message'), url);
      return answer;
    };

    test('an unknown repository is RepoNotFound: 401 without a token, 404 with one', async () => {
      await expectError(hub.resolveUrl('org/missing', 'main', 'config.json'), {}, 401, 'RepoNotFound');
      await expectError(hub.resolveUrl('org/missing', 'main', 'config.json'), bearer(), 404, 'RepoNotFound');
      await expectError(`${hub.url}/api/models/org/missing/revision/main`, bearer(), 404, 'RepoNotFound');
    });

    test('a private repository looks missing without the token and opens with it', async () => {
      await expectError(`${hub.url}/api/models/org/private/revision/main`, {}, 401, 'RepoNotFound');
      await expectError(hub.resolveUrl('org/private', 'main', 'config.json'), {}, 401, 'RepoNotFound');
      const answer = await fetch(hub.resolveUrl('org/private', 'main', 'config.json'), { headers: bearer() });
      assert.equal(answer.status, 200);
      assert.equal(await answer.text(), '{}');
    });

    test('a gated repository is GatedRepo: 401 without a token, 403 with one whose user has not accepted', async () => {
      await expectError(hub.resolveUrl('org/gated', 'main', 'config.json'), {}, 401, 'GatedRepo');
      await expectError(hub.resolveUrl('org/gated', 'main', 'config.json'), bearer(), 403, 'GatedRepo');
      await expectError(`${hub.url}/api/models/org/gated/revision/main`, bearer(), 403, 'GatedRepo');
    });

    test('a gated repository whose terms were accepted opens with the token only', async () => {
      await expectError(hub.resolveUrl('org/gated-accepted', 'main', 'config.json'), {}, 401, 'GatedRepo');
      const answer = await fetch(hub.resolveUrl('org/gated-accepted', 'main', 'config.json'), { headers: bearer() });
      assert.equal(answer.status, 200);
      await answer.arrayBuffer();
    });

    test('an unknown revision is RevisionNotFound 404', async () => {
      await expectError(hub.resolveUrl('org/model', 'v9', 'config.json'), {}, 404, 'RevisionNotFound');
      await expectError(`${hub.url}/api/models/org/model/revision/v9`, {}, 404, 'RevisionNotFound');
    });

    test('an unknown file is EntryNotFound 404', async () => {
      await expectError(hub.resolveUrl('org/model', 'main', 'nope.bin'), {}, 404, 'EntryNotFound');
    });

    test('a wrong token is 401 without an error code, even for a public repository', async () => {
      const answer = await expectError(
        hub.resolveUrl('org/model', 'main', 'config.json'),
        { Authorization: 'Bearer hf_wrong' },
        401,
        null,
      );
      assert.equal(answer.headers.get('x-error-message'), 'Invalid credentials in Authorization header');
    });

    test('a CDN URL with a forged signature answers 403', async () => {
      const location = new URL(await cdnLocation(hub, 'org/model', 'model.safetensors'));
      location.searchParams.set('expires', String(Number(location.searchParams.get('expires')) + 1));
      const answer = await fetch(location);
      await answer.arrayBuffer();
      assert.equal(answer.status, 403);
    });
  });

  describe('faults', () => {
    test('drop cuts the TCP connection after exactly N body bytes', async () => {
      hub.addFault({ kind: 'drop', pathContains: 'notes.txt', afterBytes: 5000, times: 1 });
      const cut = await rawGet(hub.resolveUrl('org/model', 'main', 'notes.txt'));
      assert.equal(cut.status, 200);
      assert.equal(cut.complete, false);
      assert.deepEqual(cut.body, NOTES.subarray(0, 5000));
      assert.equal(hub.requests.at(-1)?.bodyBytesSent, 5000);
      const whole = await rawGet(hub.resolveUrl('org/model', 'main', 'notes.txt'));
      assert.equal(whole.complete, true);
      assert.deepEqual(whole.body, NOTES);
    });

    test('drop hits the CDN download of an LFS file named in pathContains', async () => {
      hub.addFault({ kind: 'drop', pathContains: 'model.safetensors', afterBytes: 1234, times: 1 });
      const cut = await rawGet(await cdnLocation(hub, 'org/model', 'model.safetensors'));
      assert.equal(cut.complete, false);
      assert.equal(cut.body.length, 1234);
      assert.deepEqual(hub.requests.map((r) => `${r.host} ${r.status} ${r.bodyBytesSent}`).slice(-1), ['cdn 200 1234']);
    });

    test('a Range request after a drop is logged with the range it asked for', async () => {
      hub.addFault({ kind: 'drop', pathContains: 'notes.txt', afterBytes: 4096, times: 1 });
      const url = hub.resolveUrl('org/model', 'main', 'notes.txt');
      const first = await rawGet(url);
      const rest = await rawGet(url, { Range: `bytes=${first.body.length}-` });
      assert.deepEqual(Buffer.concat([first.body, rest.body]), NOTES);
      const [cutLog, restLog] = hub.requests.slice(-2);
      assert.deepEqual([cutLog?.range, cutLog?.bodyBytesSent], [null, 4096]);
      assert.deepEqual(
        [restLog?.range, restLog?.status, restLog?.bodyBytesSent],
        ['bytes=4096-', 206, NOTES.length - 4096],
      );
    });

    test('stall sends N bytes and then keeps the connection open and silent', async () => {
      hub.addFault({ kind: 'stall', pathContains: 'notes.txt', afterBytes: 3000, times: 1 });
      const outcome = await new Promise<{ received: number; closedByServer: boolean }>((resolve, reject) => {
        let clientGaveUp = false;
        let received = 0;
        const req = httpGet(hub.resolveUrl('org/model', 'main', 'notes.txt'), (res) => {
          res.on('data', (chunk: Buffer) => {
            const before = received;
            received += chunk.length;
            if (before < 3000 && received >= 3000) {
              // Still open and silent a while later: then the client gives up.
              setTimeout(() => {
                resolve({ received, closedByServer: false });
                clientGaveUp = true;
                req.destroy();
              }, 400);
            }
          });
          res.on('error', () => undefined);
          res.on('close', () => {
            if (!clientGaveUp) resolve({ received, closedByServer: true });
          });
        });
        req.on('error', (error) => {
          if (!clientGaveUp) reject(error);
        });
      });
      assert.deepEqual(outcome, { received: 3000, closedByServer: false });
    });

    test('status answers the first K requests with that status and Retry-After, then the file', async () => {
      hub.addFault({ kind: 'status', pathContains: 'config.json', status: 503, times: 2, retryAfterSeconds: 7 });
      const url = hub.resolveUrl('org/model', 'main', 'config.json');
      for (let i = 0; i < 2; i++) {
        const answer = await fetch(url);
        await answer.arrayBuffer();
        assert.equal(answer.status, 503);
        assert.equal(answer.headers.get('retry-after'), '7');
      }
      const answer = await fetch(url);
      assert.equal(answer.status, 200);
      assert.equal(await answer.text(), CONFIG);
    });

    test('a 429 fault also hits the API and leaves other paths alone', async () => {
      hub.addFault({ kind: 'status', pathContains: '/api/', status: 429, retryAfterSeconds: 1, times: 1 });
      const file = await fetch(hub.resolveUrl('org/model', 'main', 'config.json'));
      assert.equal(file.status, 200);
      await file.arrayBuffer();
      const api = await fetch(`${hub.url}/api/models/org/model/revision/main`);
      await api.arrayBuffer();
      assert.equal(api.status, 429);
      assert.equal(api.headers.get('retry-after'), '1');
    });

    test('corrupt serves the same length with different bytes', async () => {
      hub.addFault({ kind: 'corrupt', pathContains: 'model.safetensors', times: 1 });
      const location = await cdnLocation(hub, 'org/model', 'model.safetensors');
      const bad = Buffer.from(await (await fetch(location)).arrayBuffer());
      assert.equal(bad.length, WEIGHTS_MAIN.length);
      assert.notEqual(sha256(bad), sha256(WEIGHTS_MAIN));
      const good = Buffer.from(await (await fetch(location)).arrayBuffer());
      assert.equal(sha256(good), sha256(WEIGHTS_MAIN));
    });

    test('throttle spreads the body over time at the given rate', async () => {
      // 48 KiB at 96 KiB/s cannot arrive in less than about half a second.
      hub.addFault({ kind: 'throttle', pathContains: 'model.safetensors', bytesPerSecond: 96 * 1024 });
      const location = await cdnLocation(hub, 'org/model', 'model.safetensors');
      const startedAt = performance.now();
      const answer = await fetch(location, { headers: { Range: `bytes=0-${48 * 1024 - 1}` } });
      const body = Buffer.from(await answer.arrayBuffer());
      const seconds = (performance.now() - startedAt) / 1000;
      assert.deepEqual(body, WEIGHTS_MAIN.subarray(0, 48 * 1024));
      assert.ok(seconds >= 0.4, `48 KiB arrived in ${seconds.toFixed(3)} s`);
    });

    test('expire-cdn makes the CDN answer 403 until a fresh request', async () => {
      hub.addFault({ kind: 'expire-cdn', times: 1 });
      const location = await cdnLocation(hub, 'org/model', 'model.safetensors');
      const expired = await fetch(location);
      await expired.arrayBuffer();
      assert.equal(expired.status, 403);
      const fresh = await fetch(location);
      await fresh.arrayBuffer();
      assert.equal(fresh.status, 200);
    });

    test('clearFaults switches every fault off', async () => {
      hub.addFault({ kind: 'status', status: 500 });
      hub.clearFaults();
      const answer = await fetch(hub.resolveUrl('org/model', 'main', 'config.json'));
      await answer.arrayBuffer();
      assert.equal(answer.status, 200);
    });
  });

  describe('request log', () => {
    test('records each request in order, with host, range, authorization, status and body bytes', async () => {
      const location = await cdnLocation(hub, 'org/model', 'model.safetensors');
      const blob = await fetch(location, { headers: { Range: 'bytes=100-', Authorization: 'Bearer leaked' } });
      await blob.arrayBuffer();
      assert.deepEqual(
        hub.requests.map((r) => [r.method, r.host, r.status, r.range, r.authorization, r.bodyBytesSent > 0]),
        [
          ['GET', 'hub', 302, null, null, true],
          ['GET', 'cdn', 206, 'bytes=100-', 'Bearer leaked', true],
        ],
      );
      assert.equal(hub.requests[1]!.bodyBytesSent, WEIGHTS_MAIN.length - 100);
      assert.equal(hub.requests[0]!.path, '/org/model/resolve/main/model.safetensors');
    });

    test('clearLog empties the log in place', async () => {
      const log = hub.requests;
      await (await fetch(`${hub.url}/api/models/org/model/revision/main`)).arrayBuffer();
      hub.clearLog();
      assert.equal(log.length, 0);
      assert.equal(hub.requests.length, 0);
    });
  });
});

test('close ends a stalled download and frees both ports', async () => {
  const hub = await startHubServer({
    repos: [{ id: 'solo', revisions: { main: [{ path: 'a.txt', content: patterned(10_000, 9) }] } }],
  });
  hub.addFault({ kind: 'stall', afterBytes: 100 });
  const pending = rawGet(hub.resolveUrl('solo', 'main', 'a.txt'));
  for (let waited = 0; hub.requests.at(-1)?.bodyBytesSent !== 100; waited += 10) {
    assert.ok(waited < 5000, `the stalled response sent ${hub.requests.at(-1)?.bodyBytesSent} bytes, not 100`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await hub.close();
  const answer = await pending;
  assert.equal(answer.complete, false);
  assert.equal(answer.body.length, 100);
  await assert.rejects(fetch(hub.url), TypeError);
  await assert.rejects(fetch(hub.cdnUrl), TypeError);
});

/** HEAD with node:http, so that a body (which must not exist) would be seen. */
function rawGetHead(url: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'HEAD' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
