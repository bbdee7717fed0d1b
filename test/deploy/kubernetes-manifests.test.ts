import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigMap, Namespace, PersistentVolumeClaim, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { parseModelSetFile } from '../../src/apply/model-set-file.js';
import { loadManifestFile, renderKustomization, type KubernetesObject } from './kustomize-render.js';
import { enforcedLevel, podSecurityViolations, type PodSecurityLevel } from './pod-security.js';

const KUBERNETES = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
const SHAPES = ['node-agent', 'single-writer'] as const;

/** The kubernetes-models class for each kind the manifests use; validate() checks the object against its schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
};

function validateAgainstSchema(object: KubernetesObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  assert.ok(Model, `no schema model for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

function podSpecOf(object: KubernetesObject): IPodSpec {
  if (object.kind === 'Pod') return new Pod(object as never).spec as IPodSpec;
  const spec = (object.kind === 'DaemonSet' ? new DaemonSet(object as never) : new Deployment(object as never)).spec;
  return spec?.template.spec as IPodSpec;
}

function workloadOf(objects: KubernetesObject[], kind: string): KubernetesObject {
  const found = objects.find((object) => object.kind === kind);
  assert.ok(found, `no ${kind}`);
  return found;
}

function containerNamed(containers: IContainer[] | undefined, name: string): IContainer {
  const found = containers?.find((container) => container.name === name);
  assert.ok(found, `no container ${name}`);
  return found;
}

function envOf(container: IContainer, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** Every container of a pod spec, with the pod's securityContext merged under its own. */
function assertHardened(spec: IPodSpec, exempt: string[] = []): void {
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    const context = container.securityContext ?? {};
    assert.equal(context.allowPrivilegeEscalation, false, `${container.name}: allowPrivilegeEscalation`);
    assert.deepEqual(context.capabilities?.drop, ['ALL'], `${container.name}: capabilities`);
    for (const kind of ['requests', 'limits'] as const) {
      assert.ok(container.resources?.[kind]?.cpu, `${container.name}: cpu ${kind}`);
      assert.ok(container.resources?.[kind]?.memory, `${container.name}: memory ${kind}`);
    }
    if (exempt.includes(container.name)) continue;
    assert.equal(context.readOnlyRootFilesystem, true, `${container.name}: readOnlyRootFilesystem`);
    const runAsNonRoot = context.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
    const runAsUser = context.runAsUser ?? spec.securityContext?.runAsUser;
    assert.equal(runAsNonRoot, true, `${container.name}: runAsNonRoot`);
    assert.notEqual(runAsUser, 0, `${container.name}: runAsUser`);
  }
}

function assertVolumesResolve(spec: IPodSpec, objects: KubernetesObject[]): void {
  const volumes = new Map((spec.volumes ?? []).map((volume) => [volume.name, volume]));
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      assert.ok(volumes.has(mount.name), `${container.name} mounts ${mount.name}, which is not a volume`);
    }
  }
  for (const volume of volumes.values()) {
    const configMap = volume.configMap?.name;
    if (configMap)
      assert.ok(
        objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === configMap),
        configMap,
      );
    const claim = volume.persistentVolumeClaim?.claimName;
    if (claim)
      assert.ok(
        objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim),
        claim,
      );
  }
}

function templateAnnotationsOf(object: KubernetesObject): Record<string, string> {
  if (object.kind === 'Pod') return (object.metadata.annotations as Record<string, string> | undefined) ?? {};
  const template = (object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }).template;
  return template?.metadata?.annotations ?? {};
}

/** The Pod Security level that the Namespace object of a rendered shape enforces. */
function namespaceLevel(objects: KubernetesObject[], name: string): PodSecurityLevel {
  const namespace = objects.find((object) => object.kind === 'Namespace' && object.metadata.name === name);
  assert.ok(namespace, `no Namespace ${name}`);
  return enforcedLevel(namespace.metadata.labels as Record<string, string> | undefined);
}

function assertAdmitted(object: KubernetesObject, level: PodSecurityLevel): void {
  const violations = podSecurityViolations(podSpecOf(object), level, templateAnnotationsOf(object));
  assert.deepEqual(violations, [], `${object.kind} ${object.metadata.name} breaks the "${level}" Pod Security level`);
}

const POD_KINDS = new Set(['Pod', 'DaemonSet', 'Deployment']);
/** The shape whose namespace each example inference workload runs in. */
const EXAMPLE_SHAPES: Record<string, (typeof SHAPES)[number]> = {
  'inference-on-node-agent.yaml': 'node-agent',
  'inference-on-single-writer.yaml': 'single-writer',
};

describe('the Kubernetes manifests', () => {
  for (const shape of SHAPES) {
    const objects = renderKustomization(join(KUBERNETES, shape));

    test(`${shape}: every rendered object validates against the Kubernetes schema`, () => {
      assert.ok(objects.length >= 4);
      for (const object of objects) validateAgainstSchema(object);
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
        assert.equal(object.metadata.namespace, 'hfsched', `${object.kind} ${object.metadata.name}`);
      }
    });

    test(`${shape}: the pods run non-root, read-only, without privilege escalation, with requests and limits`, () => {
      const spec = podSpecOf(workloadOf(objects, shape === 'node-agent' ? 'DaemonSet' : 'Deployment'));
      // The node agent's host-folders init container chowns the hostPath folders (CAP_CHOWN only).
      assertHardened(spec, shape === 'node-agent' ? ['host-folders'] : []);
      assertVolumesResolve(spec, objects);
      assert.equal(spec.automountServiceAccountToken, false);
    });

    test(`${shape}: the model set from the ConfigMap is applied by an init container before the daemon`, () => {
      const workload = workloadOf(objects, shape === 'node-agent' ? 'DaemonSet' : 'Deployment');
      const spec = podSpecOf(workload);
      const apply = containerNamed(spec.initContainers, 'apply-model-set');
      assert.deepEqual(apply.args?.slice(0, 3), ['apply', '-f', '/etc/hfsched/hfsched.yaml']);
      const daemon = containerNamed(spec.containers, 'hfsched');
      assert.deepEqual(daemon.args, ['daemon']);
      assert.equal(envOf(apply, 'HFSCHED_DB'), envOf(daemon, 'HFSCHED_DB'));
      const configMap = new ConfigMap(workloadOf(objects, 'ConfigMap') as never);
      const text = configMap.data?.['hfsched.yaml'] ?? '';
      const modelSet = parseModelSetFile(text, 'hfsched.yaml');
      assert.ok(modelSet.models.length > 0);
      // apply --prune runs at every pod start: it needs the file's models list (it refuses a file without one).
      assert.ok(apply.args?.includes('--prune'));
      assert.equal(apply.args?.includes('--allow-empty'), false);
      assert.equal(modelSet.modelsListed, true);
      // The probes and the scrape annotations use the port the model set gives the daemon.
      const port = modelSet.settings.find((setting) => setting.key === 'http.port')?.value;
      const host = modelSet.settings.find((setting) => setting.key === 'http.host')?.value;
      assert.equal(host, '0.0.0.0');
      assert.equal(String(daemon.ports?.find((p) => p.name === 'metrics')?.containerPort), port);
      const annotations = (workload.spec as { template: { metadata: { annotations: Record<string, string> } } })
        .template.metadata.annotations;
      assert.equal(annotations['prometheus.io/scrape'], 'true');
      assert.equal(annotations['prometheus.io/port'], port);
      assert.equal(annotations['prometheus.io/path'], '/metrics');
      for (const probe of [daemon.livenessProbe, daemon.readinessProbe]) {
        assert.equal(probe?.httpGet?.path, '/healthz');
        assert.equal(probe?.httpGet?.port, 'metrics');
      }
    });

    test(`${shape}: the token comes from a Secret mounted as a file named by HF_TOKEN_PATH`, () => {
      const spec = podSpecOf(workloadOf(objects, shape === 'node-agent' ? 'DaemonSet' : 'Deployment'));
      const daemon = containerNamed(spec.containers, 'hfsched');
      const tokenPath = envOf(daemon, 'HF_TOKEN_PATH') ?? '';
      const mount = daemon.volumeMounts?.find((m) => tokenPath.startsWith(`${m.mountPath}/`));
      assert.ok(mount, `no volume mounted at ${tokenPath}`);
      assert.equal(mount.readOnly, true);
      const volume = spec.volumes?.find((v) => v.name === mount.name);
      assert.equal(volume?.secret?.secretName, 'hf-token');
      assert.equal(envOf(daemon, 'HF_TOKEN'), undefined, 'the token never sits in the pod spec');
    });
  }

  for (const shape of SHAPES) {
    test(`${shape}: every pod is admitted by the Pod Security level its namespace enforces`, () => {
      const objects = renderKustomization(join(KUBERNETES, shape));
      const pods = objects.filter((object) => POD_KINDS.has(object.kind));
      assert.ok(pods.length > 0);
      for (const pod of pods) assertAdmitted(pod, namespaceLevel(objects, pod.metadata.namespace ?? ''));
    });
  }

  test('the example inference workloads are admitted in the namespace of the shape they go with', () => {
    for (const [file, shape] of Object.entries(EXAMPLE_SHAPES)) {
      const shapeObjects = renderKustomization(join(KUBERNETES, shape));
      for (const object of loadManifestFile(join(KUBERNETES, 'examples', file))) {
        assertAdmitted(object, namespaceLevel(shapeObjects, object.metadata.namespace ?? ''));
      }
    }
  });

  test('single writer: its namespace enforces "restricted", the strictest level', () => {
    const objects = renderKustomization(join(KUBERNETES, 'single-writer'));
    assert.equal(namespaceLevel(objects, 'hfsched'), 'restricted');
  });

  test('node agent: a DaemonSet with the cache and the database on the node (hostPath)', () => {
    const spec = podSpecOf(workloadOf(renderKustomization(join(KUBERNETES, 'node-agent')), 'DaemonSet'));
    const paths = (spec.volumes ?? []).flatMap((volume) => (volume.hostPath ? [volume.hostPath.path] : []));
    assert.deepEqual(paths.sort(), ['/var/lib/hfsched/huggingface', '/var/lib/hfsched/state']);
  });

  test('single writer: one replica, Recreate, the cache on ReadWriteMany and the database on ReadWriteOnce', () => {
    const objects = renderKustomization(join(KUBERNETES, 'single-writer'));
    const deployment = new Deployment(workloadOf(objects, 'Deployment') as never);
    assert.equal(deployment.spec?.replicas, 1);
    assert.equal(deployment.spec?.strategy?.type, 'Recreate');
    const claims = new Map(
      objects
        .filter((object) => object.kind === 'PersistentVolumeClaim')
        .map((object) => [object.metadata.name, new PersistentVolumeClaim(object as never).spec?.accessModes]),
    );
    assert.deepEqual(claims.get('hfsched-cache'), ['ReadWriteMany']);
    assert.deepEqual(claims.get('hfsched-state'), ['ReadWriteOnce']);
  });

  test('the example inference workloads validate, mount the cache read-only and stay offline', () => {
    const files = readdirSync(join(KUBERNETES, 'examples')).filter((name) => name.endsWith('.yaml'));
    assert.equal(files.length, 2);
    for (const file of files) {
      for (const object of loadManifestFile(join(KUBERNETES, 'examples', file))) {
        validateAgainstSchema(object);
        const spec = podSpecOf(object);
        const server = spec.containers[0];
        assert.ok(server);
        assert.equal(envOf(server, 'HF_HUB_OFFLINE'), '1', file);
        const cacheMount = server.volumeMounts?.find((mount) =>
          envOf(server, 'HF_HUB_CACHE')?.startsWith(mount.mountPath),
        );
        assert.equal(cacheMount?.readOnly, true, file);
        const volume = spec.volumes?.find((v) => v.name === cacheMount?.name);
        assert.ok(
          volume?.hostPath?.path === '/var/lib/hfsched/huggingface' || volume?.persistentVolumeClaim?.readOnly,
          file,
        );
      }
    }
  });
});
