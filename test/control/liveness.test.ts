import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { daemonLiveness, HEARTBEAT_MAX_INTERVAL_MS, HEARTBEAT_STALE_MS } from '../../src/control/liveness.js';

/** A host name that is not this machine's: a daemon on another host sharing the database. */
const OTHER_HOST = `not-${hostname()}`;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

describe('daemon liveness', () => {
  test('a fresh heartbeat of a running process is alive', () => {
    const liveness = daemonLiveness({ pid: process.ppid, hostname: hostname(), heartbeatAt: new Date().toISOString() });
    assert.deepEqual(liveness, { alive: true, pid: process.ppid });
  });

  test('an idle daemon whose last heartbeat is one idle interval old and a bit is alive', () => {
    const heartbeatAt = ago(HEARTBEAT_MAX_INTERVAL_MS + 5000);
    const liveness = daemonLiveness({ pid: process.ppid, hostname: hostname(), heartbeatAt });
    assert.deepEqual(liveness, { alive: true, pid: process.ppid });
  });

  test('a daemon on another host is judged by its heartbeat age alone', () => {
    // The pid is one that surely does not exist here; on another host it is not checked.
    const fresh = daemonLiveness({
      pid: 2 ** 22 + 1,
      hostname: OTHER_HOST,
      heartbeatAt: ago(HEARTBEAT_MAX_INTERVAL_MS),
    });
    assert.equal(fresh.alive, true);
    const stale = daemonLiveness({
      pid: 2 ** 22 + 1,
      hostname: OTHER_HOST,
      heartbeatAt: ago(HEARTBEAT_STALE_MS + 1000),
    });
    assert.equal(stale.alive, false);
  });

  test('a stale heartbeat is not alive', () => {
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS - 1000);
    const liveness = daemonLiveness({ pid: process.ppid, hostname: hostname(), heartbeatAt: old.toISOString() });
    assert.equal(liveness.alive, false);
  });

  test('a fresh heartbeat of a process that has exited is not alive (kill -9)', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    const liveness = daemonLiveness({
      pid: child.pid ?? 0,
      hostname: hostname(),
      heartbeatAt: new Date().toISOString(),
    });
    assert.equal(liveness.alive, false);
  });

  test('no registration is not alive', () => {
    assert.equal(daemonLiveness(null).alive, false);
  });
});
