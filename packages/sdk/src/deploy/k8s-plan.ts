import { stringify } from 'yaml';
import { InvalidInputError } from '../errors.js';
import type { DeployHealth } from './plan.js';

/**
 * Kubernetes manifests for a pinned image: a Deployment (probes from the smoke settings,
 * requests and limits, a non-root, read-only-root security context), a Service and a
 * HorizontalPodAutoscaler. Pure: data in, plain objects and YAML out.
 */

export interface K8sResources {
  /** Default `100m`. */
  cpuRequest?: string;
  /** Default `128Mi`. */
  memoryRequest?: string;
  /** Default `500m`. */
  cpuLimit?: string;
  /** Default `256Mi`. */
  memoryLimit?: string;
}

/** Who the image runs as, as far as the image says. */
export interface ImageUser {
  /** The image's `USER` (`app`, `10001`, `10001:10001`); empty or absent: root. */
  user?: string;
  /** The image's `/etc/passwd`, to turn a user name into the UID Kubernetes needs. */
  passwd?: string;
}

export interface K8sPlanInput {
  name: string;
  /** Pinned: `registry/name[:tag]@sha256:...`. */
  image: string;
  /** Default 2. */
  replicas?: number | undefined;
  /** The container port the app listens on. Default 5000. */
  port?: number | undefined;
  /** The Service's port. Default 80. */
  servicePort?: number | undefined;
  health?: DeployHealth | undefined;
  /** Default: min = replicas, max = 5 × min, CPU target 70 %. */
  autoscale?: { min?: number | undefined; max?: number | undefined; cpuTargetPercent?: number | undefined } | undefined;
  resources?: K8sResources | undefined;
  /** Absent: unknown (the manifest then sets runAsNonRoot without a UID). */
  imageUser?: ImageUser | undefined;
  /** Default true: the root filesystem is read-only and `/tmp` is an emptyDir. */
  readOnlyRootFilesystem?: boolean | undefined;
  env?: Record<string, string> | undefined;
  namespace?: string | undefined;
}

export interface K8sPlan {
  manifests: Array<Record<string, unknown>>;
  /** Multi-document YAML, one `---` between documents. */
  yaml: string;
  /** What the manifest could not do as asked (e.g. an image that runs as root). */
  warnings: string[];
}

const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PINNED = /@sha256:[0-9a-f]{64}$/;
/** A UID Kubernetes may run an image as when the image names none it can use. */
const FALLBACK_UID = 10001;

function positiveInteger(value: number, what: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`${what} must be a whole number of at least ${min}; got ${value}.`);
  }
  return value;
}

/**
 * The UID (and GID) the Deployment runs as. Kubernetes can only check `runAsNonRoot` against a
 * numeric user, so a named one is looked up in the image's `/etc/passwd`.
 */
export function resolveImageUser(image: ImageUser | undefined): { uid?: number; gid?: number; warning?: string } {
  if (image === undefined) return {};
  const [name = '', group] = (image?.user ?? '').split(':');
  const numeric = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
  let uid = numeric(name);
  let gid = numeric(group);
  if (uid === undefined && name !== '') {
    const line = image?.passwd?.split('\n').find((entry) => entry.split(':')[0] === name);
    const fields = line?.split(':');
    uid = numeric(fields?.[2]);
    gid ??= numeric(fields?.[3]);
    if (uid === undefined) {
      return {
        warning: `the image's user '${name}' is not in its /etc/passwd (or the image could not be read), so runAsUser is not set; give the image a numeric USER`,
      };
    }
  }
  if (uid === undefined || uid === 0) {
    return {
      uid: FALLBACK_UID,
      gid: FALLBACK_UID,
      warning: `the image runs as root, so the Deployment runs it as UID ${FALLBACK_UID}; add a non-root USER to the Dockerfile so the image is tested as it will run`,
    };
  }
  return { uid, ...(gid === undefined ? {} : { gid }) };
}

export function planKubernetes(input: K8sPlanInput): K8sPlan {
  if (!DNS_1035.test(input.name)) {
    throw new InvalidInputError(
      `'${input.name}' is not a valid Kubernetes name; use lower-case letters, digits and '-', starting with a letter (up to 63), e.g. with --name.`,
    );
  }
  if (!PINNED.test(input.image)) {
    throw new InvalidInputError(`The image '${input.image}' is not pinned to a digest; resolve its tag to a digest first.`);
  }
  const replicas = positiveInteger(input.replicas ?? 2, 'The replica count');
  const port = input.port ?? 5000;
  const min = positiveInteger(input.autoscale?.min ?? replicas, 'The autoscaler minimum (--min)');
  const max = positiveInteger(input.autoscale?.max ?? Math.max(min, 1) * 5, 'The autoscaler maximum (--max)');
  if (max < min) throw new InvalidInputError(`The autoscaler maximum (${max}) is below its minimum (${min}); raise --max.`);
  const cpuTarget = positiveInteger(input.autoscale?.cpuTargetPercent ?? 70, 'The CPU target (--cpu-target)');
  const readOnly = input.readOnlyRootFilesystem ?? true;
  const health = input.health ?? {};
  const path = health.path?.startsWith('/') ? health.path : `/${health.path ?? ''}`;
  const warnings: string[] = [];
  if (health.expectBody !== undefined) {
    warnings.push(`Kubernetes HTTP probes judge only the status (200-399), not the body text '${health.expectBody}'`);
  }
  if (health.expectStatus !== undefined && (health.expectStatus < 200 || health.expectStatus > 399)) {
    throw new InvalidInputError(
      `A Kubernetes HTTP probe passes only on 200-399, so --expect-status ${health.expectStatus} cannot become a probe; probe a path that answers 2xx.`,
    );
  }
  const user = resolveImageUser(input.imageUser);
  if (user.warning) warnings.push(user.warning);

  const labels = { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/managed-by': 'container-ship' };
  const selector = { 'app.kubernetes.io/name': input.name };
  const metadata = { name: input.name, ...(input.namespace ? { namespace: input.namespace } : {}), labels };
  const periodSeconds = Math.max(1, Math.round((health.intervalMs ?? 5_000) / 1000));
  const timeoutSeconds = Math.max(1, Math.round((health.timeoutMs ?? 5_000) / 1000));
  const probe = (extra: Record<string, number>) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds,
    ...extra,
  });
  const resources = {
    requests: { cpu: input.resources?.cpuRequest ?? '100m', memory: input.resources?.memoryRequest ?? '128Mi' },
    limits: { cpu: input.resources?.cpuLimit ?? '500m', memory: input.resources?.memoryLimit ?? '256Mi' },
  };
  const ids = {
    ...(user.uid === undefined ? {} : { runAsUser: user.uid }),
    ...(user.gid === undefined ? {} : { runAsGroup: user.gid, fsGroup: user.gid }),
  };

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, ...ids, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: input.name,
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
              ...(input.env && Object.keys(input.env).length > 0
                ? { env: Object.entries(input.env).map(([name, value]) => ({ name, value })) }
                : {}),
              startupProbe: probe({
                failureThreshold: Math.max(1, Math.ceil((health.startPeriodMs ?? 30_000) / 1000 / periodSeconds)),
              }),
              readinessProbe: probe({ failureThreshold: 3 }),
              livenessProbe: probe({ failureThreshold: health.retries ?? 3 }),
              resources,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: readOnly,
                capabilities: { drop: ['ALL'] },
              },
              ...(readOnly ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}),
            },
          ],
          ...(readOnly ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: input.servicePort ?? 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const autoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuTarget } } }],
    },
  };
  const manifests = [deployment, service, autoscaler];
  const yaml = manifests.map((manifest) => stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return { manifests, yaml, warnings };
}
