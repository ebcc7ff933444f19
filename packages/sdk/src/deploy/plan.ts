import { LABELS } from '../cleanup/labels.js';
import type { ServiceSpec, UpdateConfig } from '../engine/swarm.js';
import { InvalidInputError } from '../errors.js';

/**
 * The pure half of a deploy: from what the user asked for to the Swarm service spec. No
 * engine here; `deploy.ts` carries the plan out.
 */

/** How replicas are reached: a host port each (`host`), or DNS round-robin on an overlay network (`dnsrr`). */
export type PublishMode = 'host' | 'dnsrr';

/** The smoke settings, turned into the service's health check. */
export interface DeployHealth {
  /** Default `/`. */
  path?: string | undefined;
  /** Default 200. */
  expectStatus?: number | undefined;
  /** A substring the body must contain. */
  expectBody?: string | undefined;
  /** How long a new replica may take to answer (the smoke timeout): the health check's start period. Default 30000. */
  startPeriodMs?: number | undefined;
  /** Default 3000. */
  intervalMs?: number | undefined;
  /** One check may take this long. Default 10000 (generous: a loaded machine starts interpreters slowly). */
  timeoutMs?: number | undefined;
  /** Failed checks in a row before a replica is unhealthy. Default 3. */
  retries?: number | undefined;
}

/** The smoke settings a release, ship.yaml or the action carries (only what a health check uses). */
export interface SmokeSettingsForHealth {
  port?: number | undefined;
  path?: string | undefined;
  expectStatus?: number | undefined;
  /** Only a string can be checked inside the container; anything else is left out. */
  expectBody?: unknown;
  timeoutMs?: number | undefined;
}

/** Pure: smoke settings as a deploy's container port and health check (the smoke timeout is the start period). */
export function healthFromSmoke(smoke: SmokeSettingsForHealth | false | undefined): { port?: number; health: DeployHealth } {
  const s = smoke === false || smoke === undefined ? {} : smoke;
  const health: DeployHealth = {};
  if (s.path !== undefined) health.path = s.path;
  if (s.expectStatus !== undefined) health.expectStatus = s.expectStatus;
  if (typeof s.expectBody === 'string') health.expectBody = s.expectBody;
  if (s.timeoutMs !== undefined) health.startPeriodMs = s.timeoutMs;
  return s.port === undefined ? { health } : { port: s.port, health };
}

export interface ServicePlanInput {
  service: string;
  /** Pinned: `registry/name[:tag]@sha256:...`. */
  image: string;
  replicas: number;
  /** The container port the app listens on. */
  port: number;
  publish: PublishMode;
  /** `host` mode only: one fixed host port (then one replica per node, and updates stop first). */
  hostPort?: number | undefined;
  /** The overlay network(s) to attach; `dnsrr` needs one. */
  networks?: string[] | undefined;
  /** `false`: no health check (updates then wait only for the container to run). */
  health?: DeployHealth | false | undefined;
  env?: Record<string, string> | undefined;
  /** After each replica is updated, watch it this long for a failure before the next. Default 5000. */
  monitorMs?: number | undefined;
  /** SIGTERM to SIGKILL. Default 10000. */
  stopGracePeriodMs?: number | undefined;
}

const NANOS_PER_MS = 1_000_000;
/** Docker's own rule for service names. */
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const PINNED = /@sha256:[0-9a-f]{64}$/;

export function assertServiceName(name: string): void {
  if (!SERVICE_NAME.test(name)) {
    throw new InvalidInputError(
      `'${name}' is not a valid service name; use letters, digits, '_', '.' and '-' (up to 63, starting with a letter or digit).`,
    );
  }
}

export function assertReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000) {
    throw new InvalidInputError(`${replicas} is not a replica count; give a whole number from 0 to 1000.`);
  }
}

/** `'it'\''s'`: one shell word, whatever the text holds. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A JSON string is a Python string literal too; `'` is escaped so it fits in single-quoted shell. */
function pythonLiteral(value: string | number): string {
  return JSON.stringify(value).replace(/'/g, '\\u0027');
}

/**
 * The health check's command: GET the smoke path inside the container and judge it like the
 * smoke test does (status, body substring). It uses the image's Python when there is one,
 * else curl, else wget (wget cannot see a non-2xx status, so it only passes a 2xx answer).
 */
export function healthProbeCommand(port: number, health: DeployHealth = {}): string[] {
  const path = health.path?.startsWith('/') ? health.path : `/${health.path ?? ''}`;
  const url = `http://127.0.0.1:${port}${path}`;
  const status = health.expectStatus ?? 200;
  const body = health.expectBody ?? '';
  const seconds = Math.max(1, Math.floor((health.timeoutMs ?? 10_000) / 1000) - 1);
  const python = [
    'import sys, urllib.request, urllib.error',
    'try:',
    `    r = urllib.request.urlopen(${pythonLiteral(url)}, timeout=${seconds}); s, b = r.status, r.read()`,
    'except urllib.error.HTTPError as e:',
    '    s, b = e.code, e.read()',
    'except Exception as e:',
    `    print("GET %s got no answer: %s" % (${pythonLiteral(path)}, e)); sys.exit(1)`,
    `if s == ${status} and ${pythonLiteral(body)} in b.decode("utf-8", "replace"): sys.exit(0)`,
    `print("GET %s answered %d, expected %d%s" % (${pythonLiteral(path)}, s, ${status}, ${pythonLiteral(body ? ` with '${body}' in the body` : '')}))`,
    'sys.exit(1)',
  ].join('\n');
  const bodyCheck = body === '' ? '' : ` && printf '%s' "$out" | grep -qF -- ${shellQuote(body)}`;
  const script = [
    `for py in python3 python; do if command -v "$py" >/dev/null 2>&1; then exec "$py" -c ${shellQuote(python)}; fi; done`,
    `if command -v curl >/dev/null 2>&1; then out=$(curl -s -m ${seconds} -w '\\n%{http_code}' ${shellQuote(url)}) || exit 1; ` +
      `[ "$(printf '%s' "$out" | tail -n 1)" = "${status}" ]${bodyCheck}; exit $?; fi`,
    `if command -v wget >/dev/null 2>&1; then out=$(wget -q -T ${seconds} -O - ${shellQuote(url)}) || exit 1; ` +
      `[ ${status} -ge 200 ] && [ ${status} -lt 300 ]${bodyCheck}; exit $?; fi`,
    "echo 'no python, curl or wget in the image to check its health' >&2; exit 1",
  ].join('\n');
  return ['CMD-SHELL', script];
}

/** Labels that mark a service (and its network) as ship's. */
export function deployLabels(service: string): Record<string, string> {
  return { [LABELS.managed]: 'true', [LABELS.purpose]: 'deploy', 'io.container-ship.service': service };
}

/**
 * The Swarm service spec for a deploy: pinned image, health check from the smoke settings,
 * rolling updates one replica at a time that start the new one first and wait for it to be
 * healthy, and roll back on their own when a new replica fails. A fixed host port cannot hold
 * two replicas on one node, so with one the update stops the old replica first.
 */
export function planService(input: ServicePlanInput): ServiceSpec {
  assertServiceName(input.service);
  assertReplicas(input.replicas);
  if (!PINNED.test(input.image)) {
    throw new InvalidInputError(`The image '${input.image}' is not pinned to a digest; resolve its tag to a digest first.`);
  }
  if (input.publish === 'dnsrr' && (input.networks ?? []).length === 0) {
    throw new InvalidInputError('DNS round-robin needs an overlay network; name one with --network.');
  }
  if (input.publish === 'dnsrr' && input.hostPort !== undefined) {
    throw new InvalidInputError('A host port only applies to --publish host; drop --host-port or publish in host mode.');
  }
  const order = input.hostPort === undefined ? 'start-first' : 'stop-first';
  const monitor = (input.monitorMs ?? 5_000) * NANOS_PER_MS;
  const update: UpdateConfig = {
    Parallelism: 1,
    Delay: 0,
    FailureAction: 'rollback',
    Monitor: monitor,
    MaxFailureRatio: 0,
    Order: order,
  };
  const labels = deployLabels(input.service);
  const health = input.health === false ? undefined : (input.health ?? {});
  return {
    Name: input.service,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Env: Object.entries(input.env ?? {}).map(([key, value]) => `${key}=${value}`),
        Labels: labels,
        ...(health
          ? {
              HealthCheck: {
                Test: healthProbeCommand(input.port, health),
                Interval: (health.intervalMs ?? 3_000) * NANOS_PER_MS,
                Timeout: (health.timeoutMs ?? 10_000) * NANOS_PER_MS,
                StartPeriod: (health.startPeriodMs ?? 30_000) * NANOS_PER_MS,
                Retries: health.retries ?? 3,
              },
            }
          : {}),
        StopGracePeriod: (input.stopGracePeriodMs ?? 10_000) * NANOS_PER_MS,
      },
      RestartPolicy: { Condition: 'any', Delay: 5_000 * NANOS_PER_MS, MaxAttempts: 0 },
      ...(input.networks && input.networks.length > 0 ? { Networks: input.networks.map((Target) => ({ Target })) } : {}),
    },
    Mode: { Replicated: { Replicas: input.replicas } },
    UpdateConfig: update,
    RollbackConfig: { ...update, FailureAction: 'pause' },
    EndpointSpec:
      input.publish === 'dnsrr'
        ? { Mode: 'dnsrr' }
        : {
            Mode: 'vip',
            Ports: [
              {
                Protocol: 'tcp',
                TargetPort: input.port,
                ...(input.hostPort === undefined ? {} : { PublishedPort: input.hostPort }),
                PublishMode: 'host',
              },
            ],
          },
  };
}

/** The image a spec runs, and its digest (`sha256:...`) when it is pinned. */
export function specImage(spec: ServiceSpec): { image: string; digest?: string } {
  const image = spec.TaskTemplate.ContainerSpec.Image;
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
  return { image, ...(digest ? { digest } : {}) };
}
