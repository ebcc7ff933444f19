import { type RegistryAuth, resolveRegistryAuth } from '../auth/registry-auth.js';
import { type Clock, systemClock } from '../clock.js';
import type { EngineOptions } from '../engine/client.js';
import { inspectContainer, listContainersByLabel } from '../engine/containers.js';
import {
  createOverlayNetwork,
  createService,
  inspectNetwork,
  inspectService,
  listServices,
  listServiceTasks,
  removeNetwork,
  removeService,
  type ServiceInfo,
  type ServiceSpec,
  swarmState,
  type TaskInfo,
  updateService,
} from '../engine/swarm.js';
import { InvalidInputError, ShipError, throwIfAborted } from '../errors.js';
import { formatImageRef, parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { RegistryClient, type RegistryClientOptions } from '../registry/client.js';
import {
  assertReplicas,
  assertServiceName,
  type DeployHealth,
  deployLabels,
  type PublishMode,
  planService,
  specImage,
} from './plan.js';
import { judgeRollout, type RolloutTarget, type ServiceStatus, summarizeService } from './rollout.js';

interface CommonOptions extends EngineOptions {
  /** How long to wait for the replicas to be running and healthy. Default 300000. */
  timeoutMs?: number | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface DeployOptions extends CommonOptions {
  /** `registry/name@sha256:...`; a tag is resolved to its digest in the registry first. */
  image: string;
  /** Default: the last part of the image's repository (`localhost:5001/team/app` → `app`). */
  service?: string | undefined;
  /** Default: the service's current count, or 1 for a new service. */
  replicas?: number | undefined;
  /** The container port the app listens on. Default 5000. */
  port?: number | undefined;
  /** Default `host`: each replica gets a host port (or `hostPort`). */
  publish?: PublishMode | undefined;
  hostPort?: number | undefined;
  /** The attachable overlay network to join; created when missing. `dnsrr` default: `<service>-net`. */
  network?: string | undefined;
  /** The smoke settings as the health check; `false` for none. */
  health?: DeployHealth | false | undefined;
  /** The container's environment. */
  env?: Record<string, string> | undefined;
  /** Registry credentials; else looked up like `docker login` stored them. They go to the swarm like `--with-registry-auth`. */
  auth?: RegistryAuth | undefined;
  /** Where credentials are looked up (`DOCKER_AUTH_CONFIG`, `DOCKER_CONFIG`). Default `process.env`. */
  authEnv?: NodeJS.ProcessEnv | undefined;
  /** TLS trust and retries for the digest lookup. */
  registry?: Omit<RegistryClientOptions, 'auth' | 'signal' | 'clock'> | undefined;
  /** After each replica is updated, watch it this long before the next. Default 5000. */
  monitorMs?: number | undefined;
}

export interface DeployResult {
  service: string;
  serviceId: string;
  /** The pinned reference the service runs. */
  image: string;
  digest: string;
  action: 'created' | 'updated' | 'unchanged';
  status: ServiceStatus;
  /** From the call to every replica running (and healthy, when there is a health check). */
  durationMs: number;
}

/** A rollout that failed; `status` shows where the service was left (rolled back, or paused). */
export class DeployError extends ShipError {
  override readonly name = 'DeployError';
  readonly status: ServiceStatus | undefined;
  constructor(code: 'DEPLOY_FAILED' | 'ROLLED_BACK' | 'TIMEOUT', message: string, status?: ServiceStatus) {
    super(code, message);
    this.status = status;
  }
}

const POLL_MS = 500;
const DEFAULT_TIMEOUT_MS = 300_000;

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `repo:tag@sha256:...`: a tag is looked up in the registry; the digest is what the service gets. */
export async function resolvePinnedImage(
  image: string,
  o: Pick<DeployOptions, 'auth' | 'authEnv' | 'registry' | 'signal' | 'clock'> = {},
): Promise<{ image: string; digest: string; auth: RegistryAuth | undefined; registry: string }> {
  const ref = parseImageRef(image);
  const auth = await resolveRegistryAuth(ref.registry, { auth: o.auth, env: o.authEnv });
  if (ref.digest) return { image: formatImageRef(ref), digest: ref.digest, auth, registry: ref.registry };
  const tag = ref.tag ?? 'latest';
  const client = new RegistryClient(ref.registry, {
    ...o.registry,
    auth,
    signal: o.signal,
    clock: o.clock,
    phase: 'deploy',
  });
  try {
    const found = await client.headManifest(ref.repository, tag);
    if (!found?.digest) {
      throw new ShipError(
        'IMAGE_NOT_FOUND',
        `The registry has no ${formatImageRef({ ...ref, tag })}; push it first (ship release or ship push).`,
      );
    }
    return { image: formatImageRef({ ...ref, tag, digest: found.digest }), digest: found.digest, auth, registry: ref.registry };
  } finally {
    await client.close();
  }
}

async function assertManager(o: EngineOptions): Promise<void> {
  const swarm = await swarmState(o);
  if (!swarm.manager) {
    throw new ShipError(
      'SWARM_UNAVAILABLE',
      swarm.state === 'active'
        ? 'This engine is a Swarm worker, not a manager; point DOCKER_HOST at a manager node.'
        : 'This engine is not part of a Swarm; run docker swarm init (or point DOCKER_HOST at a Swarm manager).',
    );
  }
}

async function existingService(name: string, o: EngineOptions): Promise<ServiceInfo> {
  const service = await inspectService(name, o);
  if (!service) throw new ShipError('SERVICE_NOT_FOUND', `There is no service '${name}'; deploy it first with ship deploy.`);
  return service;
}

function isShipService(service: ServiceInfo): boolean {
  return service.spec.Labels?.['io.container-ship.service'] === service.name;
}

/** The parts of a task template whose change makes the engine replace every task. */
function templateKey(spec: ServiceSpec): string {
  const container = spec.TaskTemplate.ContainerSpec;
  return JSON.stringify([container.Image, container.Env ?? [], container.HealthCheck?.Test ?? null]);
}

async function currentStatus(service: ServiceInfo, o: EngineOptions): Promise<ServiceStatus> {
  return summarizeService(service, await listServiceTasks(service.id, o));
}

/**
 * Polls the service until the rollout is done; rejects with a DeployError when the engine
 * rolled it back, paused it, or the timeout passed. Progress says each change of the count.
 */
async function waitForRollout(name: string, target: RolloutTarget, o: CommonOptions, clock: Clock): Promise<ServiceStatus> {
  const deadline = clock.now() + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let said = '';
  for (;;) {
    throwIfAborted(o.signal);
    const service = await existingService(name, o);
    const tasks = await listServiceTasks(service.id, o);
    const verdict = judgeRollout(service, tasks, target);
    const status = summarizeService(service, tasks);
    const line = `${status.running}/${target.replicas} replicas running ${short(specImage(service.spec).digest ?? status.image)}${
      status.update ? ` (update ${status.update.state})` : ''
    }`;
    if (line !== said) o.onProgress?.({ type: 'info', phase: 'deploy', message: line });
    said = line;
    if (verdict.kind === 'done') return status;
    if (verdict.kind === 'rolled-back') {
      const health = await failedHealthCheck(tasks, target.image, o);
      if (health) verdict.reason = `a new replica's health check failed: ${health}`;
      throw new DeployError(
        'ROLLED_BACK',
        `The new version of '${name}' failed (${verdict.reason || 'a replica did not become healthy'}), so Swarm rolled it back to ${short(
          specImage(service.spec).digest ?? verdict.image,
        )}; check ship status ${name} and the image's logs, fix it and deploy again.`,
        status,
      );
    }
    if (verdict.kind === 'failed') {
      throw new DeployError(
        'DEPLOY_FAILED',
        `The deploy of '${name}' failed: ${verdict.reason.replace(/\.$/, '')}; check ship status ${name}, fix it and deploy again.`,
        status,
      );
    }
    if (clock.now() >= deadline) {
      throw new DeployError(
        'TIMEOUT',
        `'${name}' had ${status.running} of ${target.replicas} replicas running and healthy after ${Math.round(
          (o.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000,
        )} s; check ship status ${name}, or give a longer --wait.`,
        status,
      );
    }
    await clock.sleep(POLL_MS, o.signal);
  }
}

/** What the health check of a failed new replica last said (its container stays until the task is pruned). */
async function failedHealthCheck(tasks: TaskInfo[], image: string, o: EngineOptions): Promise<string | undefined> {
  for (const task of tasks) {
    if (task.image !== image || !task.containerId) continue;
    const container = await inspectContainer(task.containerId, o).catch(() => undefined);
    if (container?.healthLog && container.health !== 'healthy') return container.healthLog.split('\n').at(-1);
  }
  return undefined;
}

function defaultServiceName(image: string): string {
  const repository = parseImageRef(image).repository;
  return repository.slice(repository.lastIndexOf('/') + 1);
}

/**
 * Creates or updates a Swarm service that runs `image` pinned to its digest, and waits until
 * every replica runs it and is healthy. Updates roll one replica at a time, start the new one
 * first, and the engine rolls back on its own when a new replica fails: then this rejects
 * with a DeployError (code ROLLED_BACK) and the service runs the previous version.
 */
export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  throwIfAborted(o.signal);
  const name = o.service ?? defaultServiceName(o.image);
  assertServiceName(name);
  if (o.replicas !== undefined) assertReplicas(o.replicas);
  const publish = o.publish ?? 'host';
  if (publish !== 'host' && publish !== 'dnsrr') {
    throw new InvalidInputError(`'${String(publish)}' is not a publishing mode; use host or dnsrr.`);
  }
  return inPhase(
    'deploy',
    `Deploying ${o.image} as ${name}`,
    { onProgress: o.onProgress, clock },
    async () => {
      await assertManager(o);
      const pinned = await resolvePinnedImage(o.image, o);
      const existing = await inspectService(name, o);
      if (existing && !isShipService(existing)) {
        throw new InvalidInputError(
          `The service '${name}' was not deployed by ship, so ship leaves it alone; deploy under another --name.`,
        );
      }
      const network = o.network ?? (publish === 'dnsrr' ? `${name}-net` : undefined);
      if (network) await ensureNetwork(network, name, o);
      const replicas = o.replicas ?? existing?.spec.Mode.Replicated?.Replicas ?? 1;
      const spec = planService({
        service: name,
        image: pinned.image,
        replicas,
        port: o.port ?? 5000,
        publish,
        hostPort: o.hostPort,
        ...(network ? { networks: [network] } : {}),
        health: o.health,
        env: o.env,
        monitorMs: o.monitorMs,
      });
      let action: DeployResult['action'];
      let target: RolloutTarget;
      if (!existing) {
        o.onProgress?.({
          type: 'info',
          phase: 'deploy',
          message: `Creating service ${name} with ${replicas} replica(s) of ${pinned.image}`,
        });
        await createService(spec, pinned.auth, pinned.registry, o);
        action = 'created';
        target = { image: pinned.image, replicas, rolling: false };
      } else {
        // Networks are stored as ids; the rest of the spec is ship's own.
        const rolling = templateKey(existing.spec) !== templateKey(spec);
        const sameEndpoint = JSON.stringify(existing.spec.EndpointSpec) === JSON.stringify(spec.EndpointSpec);
        const unchanged = !rolling && sameEndpoint && existing.spec.Mode.Replicated?.Replicas === replicas;
        target = { image: pinned.image, replicas, rolling, previousUpdateStart: existing.updateStatus?.startedAt };
        if (unchanged) {
          action = 'unchanged';
        } else {
          o.onProgress?.({
            type: 'info',
            phase: 'deploy',
            message: rolling
              ? `Rolling ${name} to ${pinned.image}, one replica at a time (start first, health-gated)`
              : `Updating ${name}: ${replicas} replica(s)`,
          });
          await updateService(existing, spec, { ...o, auth: pinned.auth, registry: pinned.registry });
          action = 'updated';
        }
      }
      const status = await waitForRollout(name, target, o, clock);
      return {
        service: name,
        serviceId: status.id,
        image: pinned.image,
        digest: pinned.digest,
        action,
        status,
        durationMs: clock.now() - started,
      };
    },
    (result) =>
      `${result.action === 'created' ? 'Deployed' : result.action === 'updated' ? 'Updated' : 'Unchanged:'} ${name}: ${result.status.running}/${result.status.desired} replicas healthy on ${short(result.digest)}`,
  );
}

async function ensureNetwork(network: string, service: string, o: EngineOptions): Promise<void> {
  const found = await inspectNetwork(network, o);
  if (!found) {
    await createOverlayNetwork(network, deployLabels(service), o);
    return;
  }
  if (found.driver !== 'overlay') {
    throw new InvalidInputError(`The network '${network}' is a ${found.driver} network; name an overlay network with --network.`);
  }
}

export interface ScaleOptions extends CommonOptions {
  service: string;
  replicas: number;
}

/** Sets the replica count and waits until exactly that many run (healthy); the image stays. */
export async function scale(o: ScaleOptions): Promise<ServiceStatus> {
  const clock = o.clock ?? systemClock;
  assertServiceName(o.service);
  assertReplicas(o.replicas);
  return inPhase(
    'deploy',
    `Scaling ${o.service} to ${o.replicas}`,
    { onProgress: o.onProgress, clock },
    async () => {
      const service = await existingService(o.service, o);
      const spec: ServiceSpec = { ...service.spec, Mode: { Replicated: { Replicas: o.replicas } } };
      await updateService(service, spec, o);
      const image = specImage(service.spec).image;
      return waitForRollout(o.service, { image, replicas: o.replicas, rolling: false }, o, clock);
    },
    (status) => `Scaled ${o.service}: ${status.running}/${status.desired} replicas running`,
  );
}

export interface RollbackOptions extends CommonOptions {
  service: string;
}

/** Goes back to the service's previous spec (the engine's rollback, one replica at a time). */
export async function rollback(o: RollbackOptions): Promise<ServiceStatus> {
  const clock = o.clock ?? systemClock;
  assertServiceName(o.service);
  return inPhase(
    'deploy',
    `Rolling back ${o.service}`,
    { onProgress: o.onProgress, clock },
    async () => {
      const service = await existingService(o.service, o);
      if (!service.previousSpec) {
        throw new ShipError(
          'DEPLOY_FAILED',
          `The service '${o.service}' has no previous version to roll back to; deploy the version you want instead.`,
        );
      }
      const previous = service.previousSpec;
      await updateService(service, service.spec, { ...o, rollback: true });
      return waitForRollout(
        o.service,
        {
          image: specImage(previous).image,
          replicas: previous.Mode.Replicated?.Replicas ?? 0,
          rolling: true,
          rollback: true,
          previousUpdateStart: service.updateStatus?.startedAt,
        },
        o,
        clock,
      );
    },
    (status) =>
      `Rolled back ${o.service} to ${short(status.digest ?? status.image)}: ${status.running}/${status.desired} replicas running`,
  );
}

/** Desired and running replicas, the digest each task runs, and recent task errors. */
export async function serviceStatus(o: EngineOptions & { service: string }): Promise<ServiceStatus> {
  assertServiceName(o.service);
  return currentStatus(await existingService(o.service, o), o);
}

export interface UndeployOptions extends CommonOptions {
  service: string;
}

/**
 * Removes a service ship deployed, waits for its containers to go, then removes the network
 * ship made for it when no other service uses it. A service that is gone is fine.
 */
export async function undeploy(o: UndeployOptions): Promise<{ removed: boolean; networks: string[] }> {
  const clock = o.clock ?? systemClock;
  assertServiceName(o.service);
  const service = await inspectService(o.service, o);
  if (!service) return { removed: false, networks: [] };
  if (!isShipService(service)) {
    throw new InvalidInputError(
      `The service '${o.service}' was not deployed by ship, so ship leaves it alone; remove it with docker service rm.`,
    );
  }
  await removeService(service.id, o);
  const deadline = clock.now() + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  // The swarm forgets the tasks at once; their containers (stopped ones too) go a moment later.
  while ((await listContainersByLabel({ 'com.docker.swarm.service.id': service.id }, o)).length > 0) {
    if (clock.now() >= deadline) break;
    await clock.sleep(POLL_MS, o.signal);
  }
  const removedNetworks: string[] = [];
  const others = (await listServices({ 'io.container-ship.managed': 'true' }, o)).filter((s) => s.id !== service.id);
  for (const target of service.spec.TaskTemplate.Networks ?? []) {
    const network = await inspectNetwork(target.Target, o);
    if (!network || network.labels['io.container-ship.service'] !== o.service) continue;
    if (
      others.some((s) => (s.spec.TaskTemplate.Networks ?? []).some((n) => n.Target === network.id || n.Target === network.name))
    )
      continue;
    await removeNetworkWhenFree(network.name, o, clock, deadline);
    removedNetworks.push(network.name);
  }
  return { removed: true, networks: removedNetworks };
}

/** The engine refuses to remove a network while a task's container still holds an endpoint on it. */
async function removeNetworkWhenFree(name: string, o: CommonOptions, clock: Clock, deadline: number): Promise<void> {
  for (;;) {
    try {
      await removeNetwork(name, o);
      // The swarm forgets the network at once; this node drops its copy a moment later.
      while ((await inspectNetwork(name, o)) && clock.now() < deadline) await clock.sleep(POLL_MS, o.signal);
      return;
    } catch (error) {
      if (clock.now() >= deadline || !/active endpoints|in use/i.test(String((error as Error).message))) throw error;
      await clock.sleep(POLL_MS, o.signal);
    }
  }
}
