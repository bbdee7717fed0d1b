/**
 * The Pod Security Standards' checks, over a pod spec, as the admission
 * controller applies them to the level a namespace enforces
 * (`pod-security.kubernetes.io/enforce`). The rules and their allowed values
 * are the published ones:
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * (the table of each control, fields and allowed values, as of Kubernetes 1.33).
 * Each check returns what it refuses, named by field, so a failing test says
 * which field of which container breaks which level.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** Baseline, "Capabilities": what a container may add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** Baseline, "SELinux": the types a pod or container may set. */
const BASELINE_SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
/** Baseline, "Sysctls": the safe set. */
const BASELINE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
/** Restricted, "Volume Types": the only volume sources allowed. */
const RESTRICTED_VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

interface NamedContainer {
  where: string;
  container: IContainer;
}

/** Every container the standard covers: containers, initContainers and ephemeralContainers. */
function containersOf(spec: IPodSpec): NamedContainer[] {
  return [
    ...spec.containers.map((container) => ({ where: `containers[${container.name}]`, container })),
    ...(spec.initContainers ?? []).map((container) => ({ where: `initContainers[${container.name}]`, container })),
    ...(spec.ephemeralContainers ?? []).map((container) => ({
      where: `ephemeralContainers[${container.name}]`,
      container: container as IContainer,
    })),
  ];
}

function volumeSource(volume: IVolume): string {
  return Object.keys(volume).find((key) => key !== 'name') ?? '(none)';
}

function baselineViolations(spec: IPodSpec, annotations: Record<string, string>): string[] {
  const found: string[] = [];
  const pod = spec.securityContext ?? {};
  if (pod.windowsOptions?.hostProcess === true) found.push('securityContext.windowsOptions.hostProcess');
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) found.push(field);
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.hostPath) found.push(`volumes[${volume.name}].hostPath`);
  }
  if (pod.seLinuxOptions) found.push(...seLinuxViolations(pod.seLinuxOptions, 'securityContext'));
  if (pod.seccompProfile?.type === 'Unconfined') found.push('securityContext.seccompProfile.type: Unconfined');
  if (pod.appArmorProfile?.type === 'Unconfined') found.push('securityContext.appArmorProfile.type: Unconfined');
  for (const sysctl of pod.sysctls ?? []) {
    if (!BASELINE_SYSCTLS.has(sysctl.name)) found.push(`securityContext.sysctls[${sysctl.name}]`);
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
    if (value !== 'runtime/default' && !value.startsWith('localhost/')) found.push(`annotation ${key}: ${value}`);
  }
  for (const { where, container } of containersOf(spec)) {
    const context: ISecurityContext = container.securityContext ?? {};
    if (context.windowsOptions?.hostProcess === true) found.push(`${where}.securityContext.windowsOptions.hostProcess`);
    if (context.privileged === true) found.push(`${where}.securityContext.privileged`);
    for (const capability of context.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.has(capability))
        found.push(`${where}.securityContext.capabilities.add: ${capability}`);
    }
    for (const port of container.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0) found.push(`${where}.ports.hostPort: ${port.hostPort}`);
    }
    if (context.seLinuxOptions) found.push(...seLinuxViolations(context.seLinuxOptions, `${where}.securityContext`));
    if (context.procMount !== undefined && context.procMount !== 'Default') {
      found.push(`${where}.securityContext.procMount: ${context.procMount}`);
    }
    if (context.seccompProfile?.type === 'Unconfined')
      found.push(`${where}.securityContext.seccompProfile: Unconfined`);
    if (context.appArmorProfile?.type === 'Unconfined') {
      found.push(`${where}.securityContext.appArmorProfile: Unconfined`);
    }
  }
  return found;
}

function seLinuxViolations(options: { type?: string; user?: string; role?: string }, where: string): string[] {
  const found: string[] = [];
  if (options.type !== undefined && !BASELINE_SELINUX_TYPES.has(options.type)) {
    found.push(`${where}.seLinuxOptions.type: ${options.type}`);
  }
  if (options.user) found.push(`${where}.seLinuxOptions.user`);
  if (options.role) found.push(`${where}.seLinuxOptions.role`);
  return found;
}

function restrictedViolations(spec: IPodSpec): string[] {
  const found: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const volume of spec.volumes ?? []) {
    const source = volumeSource(volume);
    if (!RESTRICTED_VOLUME_SOURCES.has(source)) found.push(`volumes[${volume.name}]: ${source}`);
  }
  if (pod.runAsUser === 0) found.push('securityContext.runAsUser: 0');
  for (const { where, container } of containersOf(spec)) {
    const context: ISecurityContext = container.securityContext ?? {};
    if (context.allowPrivilegeEscalation !== false) found.push(`${where}.securityContext.allowPrivilegeEscalation`);
    // runAsNonRoot: true on the pod, or on every container (a container's false overrides the pod's true).
    const runAsNonRoot = context.runAsNonRoot ?? pod.runAsNonRoot;
    if (runAsNonRoot !== true) found.push(`${where}.securityContext.runAsNonRoot`);
    if (context.runAsUser === 0) found.push(`${where}.securityContext.runAsUser: 0`);
    const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      found.push(`${where}.securityContext.seccompProfile.type: ${seccomp ?? 'unset'}`);
    }
    if (!(context.capabilities?.drop ?? []).includes('ALL')) found.push(`${where}.securityContext.capabilities.drop`);
    for (const capability of context.capabilities?.add ?? []) {
      if (capability !== 'NET_BIND_SERVICE') found.push(`${where}.securityContext.capabilities.add: ${capability}`);
    }
  }
  return found;
}

/** What keeps a pod from being admitted at `level`; empty when it is admitted. */
export function podSecurityViolations(
  spec: IPodSpec,
  level: PodSecurityLevel,
  annotations: Record<string, string> = {},
): string[] {
  if (level === 'privileged') return [];
  const baseline = baselineViolations(spec, annotations);
  return level === 'baseline' ? baseline : [...baseline, ...restrictedViolations(spec)];
}

/** The level a Namespace's labels enforce; a namespace without the label enforces `privileged`. */
export function enforcedLevel(labels: Record<string, string> | undefined): PodSecurityLevel {
  const value = labels?.['pod-security.kubernetes.io/enforce'] ?? 'privileged';
  const level = POD_SECURITY_LEVELS.find((known) => known === value);
  if (!level) throw new Error(`unknown Pod Security level "${value}"`);
  return level;
}
