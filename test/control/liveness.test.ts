import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { daemonLiveness, HEARTBEAT_STALE_MS } from '../../src/control/liveness.js';

describe('daemon liveness', () => {
  test('a fresh heartbeat of a running process is alive', () => {
    const liveness = daemonLiveness({ pid: process.ppid, hostname: hostname(), heartbeatAt: new Date().toISOString() });
    assert.deepEqual(liveness, { alive: true, pid: process.ppid });
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
