/**
 * Renders a kustomization the way `kubectl apply -k` does, for the part of
 * kustomize that deploy/kubernetes uses: `resources` (files of one or more
 * YAML documents, and folders with their own kustomization.yaml) and
 * `namespace`. Any other kustomization field is refused, so that a manifest
 * change that needs more of kustomize fails here instead of being rendered
 * wrongly.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace']);
/** Kinds without a namespace (kustomize's `namespace` leaves them alone). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass']);

/** Every object of one YAML file; documents must be objects with apiVersion, kind and metadata.name. */
export function loadManifestFile(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`${path} document ${index}: ${document.errors[0]?.message}`);
    const object = document.toJS() as KubernetesObject | null;
    if (object === null || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`${path} document ${index} is not a Kubernetes object`);
    }
    return object;
  });
}

export function renderKustomization(folder: string): KubernetesObject[] {
  const kustomization = parse(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field))
      throw new Error(`${folder}/kustomization.yaml: the test renderer does not know "${field}"`);
  }
  const objects: KubernetesObject[] = [];
  for (const resource of (kustomization.resources as string[] | undefined) ?? []) {
    const path = join(folder, resource);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : loadManifestFile(path)));
  }
  const namespace = kustomization.namespace;
  if (typeof namespace === 'string') {
    for (const object of objects) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = namespace;
    }
  }
  return objects;
}
