/**
 * The daemon serving the mirror (`serve.listen` set): a real `hfsched daemon`
 * child downloads a repo from the test Hub on its schedule and serves it from
 * its own process; a client fetches through it without the Hub seeing a
 * request; `status` shows the mirror with its requests and bytes; SIGTERM
 * stops the daemon and the mirror with it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { parseJsonOutput } from '../support/cli.js';
import { createDaemonFixture, freePort, randomContent, type DaemonFixture } from '../daemon/daemon-fixture.js';
import { waitFor, type DaemonProcess } from '../daemon/daemon-process.js';

const weights = randomContent(3 * 1024 * 1024);
const files = { 'config.json': '{"model_type": "daemon-mirror"}', 'model.safetensors': weights };

interface Status {
  mirrors: { url: string; requests: number; bytesSent: number }[];
}

let fixture: DaemonFixture;
let daemon: DaemonProcess;
let mirrorUrl: string;

before(async () => {
  fixture = await createDaemonFixture([{ id: 'org/served', files }]);
  // As a user sets it (the setting takes no port 0: a fleet must know where to find the mirror).
  const port = await freePort();
  const set = await fixture.cli(['config', 'set', 'serve.listen', `127.0.0.1:${port}`]);
  assert.equal(set.code, 0, set.stderr);
  daemon = fixture.startDaemon();
  const serving = await daemon.waitForLog(
    (line) => line.msg === 'serving the cache as a Hub mirror',
    20_000,
    'the mirror start line',
  );
  mirrorUrl = String(serving['url']);
  assert.equal(mirrorUrl, `http://127.0.0.1:${port}`);
});

after(async () => {
  await fixture.cleanup();
});

async function status(): Promise<Status> {
  return parseJsonOutput<Status>(await fixture.cli(['status', '--json']));
}

test('before its first download the daemon serves nothing: RepoNotFound, and the Hub is not asked', async () => {
  const hubRequests = fixture.hub.requests.length;
  const answer = await fetch(`${mirrorUrl}/org/served/resolve/main/config.json`);
  assert.equal(answer.status, 404);
  assert.equal(answer.headers.get('x-error-code'), 'RepoNotFound');
  assert.equal(fixture.hub.requests.length, hubRequests);
});

test('the daemon downloads on its schedule, then serves the bytes itself; the Hub sees no request from the client', async () => {
  fixture.addSchedule('*/2 * * * * *');
  await waitFor(() => fixture.model('org/served').status === 'completed', {
    timeoutMs: 20_000,
    what: 'the scheduled download',
  });
  const hubRequests = fixture.hub.requests.length;
  const answer = await fetch(`${mirrorUrl}/org/served/resolve/main/model.safetensors`);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('x-repo-commit'), fixture.hub.commitOf('org/served', 'main'));
  assert.ok(Buffer.from(await answer.arrayBuffer()).equals(weights), 'the bytes the Hub published');
  assert.equal(fixture.hub.requests.length, hubRequests);
});

test("status shows the daemon's mirror serving, where, with its requests and bytes", async () => {
  // The mirror publishes its totals every few seconds: wait for the ones covering the download above.
  let mirrors: Status['mirrors'] = [];
  await waitFor(
    async () => {
      mirrors = (await status()).mirrors;
      return mirrors.length === 1 && mirrors[0]!.bytesSent >= weights.length;
    },
    { timeoutMs: 20_000, intervalMs: 250, what: () => `the mirror's totals in status: ${JSON.stringify(mirrors)}` },
  );
  assert.equal(mirrors[0]!.url, mirrorUrl);
  assert.ok(mirrors[0]!.requests >= 2, `${mirrors[0]!.requests} requests`);
  const text = await fixture.cli(['status']);
  assert.match(text.stdout, new RegExp(`Mirror:\\s+serving at ${mirrorUrl.replace(/\./g, '\\.')}`));
});

test('SIGTERM stops the daemon and its mirror: exit 0, the port closed, no mirror left in status', async () => {
  daemon.child.kill('SIGTERM');
  const exit = await daemon.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  const port = Number(new URL(mirrorUrl).port);
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  assert.equal(refused, 'ECONNREFUSED');
  assert.deepEqual((await status()).mirrors, []);
});
