import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { enforcedLevel, podSecurityViolations } from './pod-security.js';

/** A pod that the "restricted" level admits: the starting point each test breaks in one field. */
function restrictedPod(): IPodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'app',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
  };
}

describe('the Pod Security Standards checker (the published rules)', () => {
  test('a hardened pod is admitted at every level', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as const) {
      assert.deepEqual(podSecurityViolations(restrictedPod(), level), []);
    }
  });

  test('baseline refuses hostPath volumes, host namespaces, privileged containers and host ports', () => {
    const spec = restrictedPod();
    spec.volumes = [{ name: 'host', hostPath: { path: '/var/lib/x' } }];
    spec.hostNetwork = true;
    spec.hostPID = true;
    spec.containers[0]!.securityContext!.privileged = true;
    spec.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }];
    assert.deepEqual(podSecurityViolations(spec, 'baseline'), [
      'hostNetwork',
      'hostPID',
      'volumes[host].hostPath',
      'containers[app].securityContext.privileged',
      'containers[app].ports.hostPort: 8080',
    ]);
    assert.deepEqual(podSecurityViolations(spec, 'privileged'), []);
  });

  test('baseline lets an init container run as root with CAP_CHOWN; restricted does not', () => {
    const spec = restrictedPod();
    spec.initContainers = [
      {
        name: 'chown',
        image: 'app',
        securityContext: {
          runAsUser: 0,
          runAsNonRoot: false,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'], add: ['CHOWN'] },
        },
      },
    ];
    assert.deepEqual(podSecurityViolations(spec, 'baseline'), []);
    assert.deepEqual(podSecurityViolations(spec, 'restricted'), [
      'initContainers[chown].securityContext.runAsNonRoot',
      'initContainers[chown].securityContext.runAsUser: 0',
      'initContainers[chown].securityContext.capabilities.add: CHOWN',
    ]);
  });

  test('baseline refuses SYS_ADMIN, Unconfined seccomp and unsafe sysctls', () => {
    const spec = restrictedPod();
    spec.securityContext!.seccompProfile = { type: 'Unconfined' };
    spec.securityContext!.sysctls = [{ name: 'kernel.msgmax', value: '1' }];
    spec.containers[0]!.securityContext!.capabilities!.add = ['SYS_ADMIN'];
    assert.deepEqual(podSecurityViolations(spec, 'baseline'), [
      'securityContext.seccompProfile.type: Unconfined',
      'securityContext.sysctls[kernel.msgmax]',
      'containers[app].securityContext.capabilities.add: SYS_ADMIN',
    ]);
  });

  test('restricted needs no privilege escalation, non-root, a seccomp profile, every capability dropped and plain volumes', () => {
    const spec = restrictedPod();
    spec.securityContext = {};
    spec.containers[0]!.securityContext = {};
    spec.volumes = [{ name: 'nfs', nfs: { server: 'nfs', path: '/x' } }];
    assert.deepEqual(podSecurityViolations(spec, 'baseline'), []);
    assert.deepEqual(podSecurityViolations(spec, 'restricted'), [
      'volumes[nfs]: nfs',
      'containers[app].securityContext.allowPrivilegeEscalation',
      'containers[app].securityContext.runAsNonRoot',
      'containers[app].securityContext.seccompProfile.type: unset',
      'containers[app].securityContext.capabilities.drop',
    ]);
  });

  test('a namespace without the enforce label is privileged; an unknown level is refused', () => {
    assert.equal(enforcedLevel(undefined), 'privileged');
    assert.equal(enforcedLevel({ 'pod-security.kubernetes.io/enforce': 'baseline' }), 'baseline');
    assert.throws(() => enforcedLevel({ 'pod-security.kubernetes.io/enforce': 'strict' }), /unknown/);
  });
});
