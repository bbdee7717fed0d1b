/**
 * HubRuntime (src/hub/hub-runtime.ts): what a process's requests share lives
 * in the runtime it was given, not in the modules. A runtime's check and
 * download reuse its kept-alive connections, as a pull's check and download
 * do; another runtime in the same process shares nothing with it.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubRuntime, resolveRevisionCommit } from '../../src/hub/index.js';
import { createHubFixture, type HubFixture } from './fixtures.js';

const REPO = 'org/tiny';

describe('HubRuntime', () => {
  let fixture: HubFixture | null = null;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = null;
  });

  function revisionCheck(fx: HubFixture) {
    return {
      endpoint: fx.hub.url,
      token: null,
      repoId: REPO,
      repoType: 'model' as const,
      revision: 'main',
      stallTimeoutMs: 5000,
    };
  }

  test("a runtime's check and download share its connections; another runtime opens its own", async () => {
    const fx = await createHubFixture([
      {
        id: REPO,
        revisions: {
          main: [
            { path: 'config.json', content: '{}' },
            { path: 'vocab.txt', content: 'a b c' },
          ],
        },
      },
    ]);
    fixture = fx;
    const commit = await resolveRevisionCommit(fx.runtime.http, revisionCheck(fx));
    const result = await fx.pull(REPO, { concurrentFiles: 1 });
    assert.equal(result.commit, commit);
    const ofFirst = fx.hub.requests.filter((request) => request.host === 'hub');
    assert.ok(ofFirst.length >= 3, 'the check, the listing and the files');
    assert.deepEqual(new Set(ofFirst.map((request) => request.connection)), new Set([1]), 'all on one connection');

    const other = new HubRuntime();
    try {
      await resolveRevisionCommit(other.http, revisionCheck(fx));
      await resolveRevisionCommit(fx.runtime.http, revisionCheck(fx));
    } finally {
      other.close();
    }
    const [ofOther, again] = fx.hub.requests.slice(ofFirst.length).filter((request) => request.host === 'hub');
    assert.equal(ofOther?.connection, 2, "the other runtime's request came on a connection of its own");
    assert.equal(again?.connection, 1, 'the first runtime still has its connection');
  });
});
