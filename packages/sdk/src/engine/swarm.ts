import type Dockerode from 'dockerode';
import type { RegistryAuth } from '../auth/registry-auth.js';
import { ShipError } from '../errors.js';
import { dockerFor, type EngineOptions } from './client.js';
import { commonEngineError, engineErrorMessage, engineStatusCode } from './engine-errors.js';
import { authConfig } from './images.js';

/**
 * The Swarm half of the Docker Engine API seam: the swarm's state, services, their tasks and
 * overlay networks. Callers (deploy/) get plain data in the Engine API's own JSON shapes (the
 * subset ship writes and reads) and `ShipError`s.
 */

/** A service spec as `POST /services/create` takes it (the fields ship sets). */
export interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Env?: string[];
      Labels?: Record<string, string>;
      HealthCheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number };
      StopGracePeriod?: number;
    };
    RestartPolicy?: { Condition: 'none' | 'on-failure' | 'any'; Delay?: number; MaxAttempts?: number };
    Networks?: Array<{ Target: string; Aliases?: string[] }>;
    ForceUpdate?: number;
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig: UpdateConfig;
  RollbackConfig: UpdateConfig;
  EndpointSpec: {
    Mode: 'vip' | 'dnsrr';
    Ports?: Array<{ Protocol: 'tcp'; TargetPort: number; PublishedPort?: number; PublishMode: 'host' | 'ingress' }>;
  };
}

export interface UpdateConfig {
  Parallelism: number;
  Delay: number;
  FailureAction: 'pause' | 'continue' | 'rollback';
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'stop-first' | 'start-first';
}

/** `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`, `rollback_completed`. */
export interface UpdateStatus {
  state: string;
  message: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ServiceInfo {
  id: string;
  name: string;
  /** The object version an update must name. */
  version: number;
  spec: ServiceSpec;
  previousSpec?: ServiceSpec;
  updateStatus?: UpdateStatus;
  /** The service's network ids and names are in `spec`; these are the ports the engine publishes. */
  createdAt: string;
  updatedAt: string;
}

export interface TaskInfo {
  id: string;
  slot: number;
  /** new, pending, assigned, accepted, preparing, starting, running, complete, shutdown, failed, rejected, orphaned, remove. */
  state: string;
  desiredState: string;
  message: string;
  error: string;
  /** The image of the spec this task runs. */
  image: string;
  containerId?: string;
  /** Host ports published in `host` mode. */
  hostPorts: number[];
  createdAt: string;
  updatedAt: string;
}

export interface SwarmState {
  /** inactive, pending, active, error, locked. */
  state: string;
  /** True when this engine is a manager (services can be created through it). */
  manager: boolean;
}

function engineError(error: unknown, options: EngineOptions, what: string): ShipError {
  const common = commonEngineError(error, options);
  if (common) return common;
  const message = engineErrorMessage(error);
  if (engineStatusCode(error) === 503 && /not a swarm manager|swarm/i.test(message)) {
    return new ShipError(
      'SWARM_UNAVAILABLE',
      'This engine is not a Swarm manager; run docker swarm init, or point DOCKER_HOST at a manager.',
      { cause: error },
    );
  }
  return new ShipError('INTERNAL', `The engine refused to ${what}: ${message.replace(/\.$/, '')}.`, { cause: error });
}

async function call<T>(options: EngineOptions, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw engineError(error, options, what);
  }
}

export async function swarmState(options: EngineOptions = {}): Promise<SwarmState> {
  const info = (await call(options, 'describe itself', async () => (await dockerFor(options)).info())) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  };
  return { state: info.Swarm?.LocalNodeState ?? 'inactive', manager: info.Swarm?.ControlAvailable === true };
}

/** `docker swarm init --advertise-addr ADDR`: makes this engine a one-node swarm. */
export async function initSwarm(advertiseAddr: string, options: EngineOptions = {}): Promise<void> {
  await call(options, 'initialise a swarm', async () =>
    (await dockerFor(options)).swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: advertiseAddr }),
  );
}

/** `docker swarm leave --force`. */
export async function leaveSwarm(options: EngineOptions = {}): Promise<void> {
  await call(options, 'leave the swarm', async () => (await dockerFor(options)).swarmLeave({ force: true }));
}

interface RawService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
}

function toServiceInfo(raw: RawService): ServiceInfo {
  const status = raw.UpdateStatus;
  return {
    id: raw.ID,
    name: raw.Spec.Name,
    version: raw.Version.Index,
    spec: raw.Spec,
    ...(raw.PreviousSpec ? { previousSpec: raw.PreviousSpec } : {}),
    ...(status?.State
      ? {
          updateStatus: {
            state: status.State,
            message: status.Message ?? '',
            ...(status.StartedAt ? { startedAt: status.StartedAt } : {}),
            ...(status.CompletedAt ? { completedAt: status.CompletedAt } : {}),
          },
        }
      : {}),
    createdAt: raw.CreatedAt,
    updatedAt: raw.UpdatedAt,
  };
}

/** The service by name or id; undefined when there is none. */
export async function inspectService(name: string, options: EngineOptions = {}): Promise<ServiceInfo | undefined> {
  try {
    return toServiceInfo((await (await dockerFor(options)).getService(name).inspect()) as RawService);
  } catch (error) {
    if (engineStatusCode(error) === 404) return undefined;
    throw engineError(error, options, `inspect the service '${name}'`);
  }
}

/** Services carrying every given label (`true`: the label with any value). */
export async function listServices(labels: Record<string, string | true>, options: EngineOptions = {}): Promise<ServiceInfo[]> {
  const label = Object.entries(labels).map(([key, value]) => (value === true ? key : `${key}=${value}`));
  const list = (await call(options, 'list services', async () =>
    (await dockerFor(options)).listServices({ filters: JSON.stringify({ label }) }),
  )) as RawService[];
  return list.map(toServiceInfo);
}

/** Creates the service; `auth` goes along like `--with-registry-auth`, so every node can pull. */
export async function createService(
  spec: ServiceSpec,
  auth: RegistryAuth | undefined,
  registry: string,
  options: EngineOptions = {},
): Promise<string> {
  const service = await call(options, `create the service '${spec.Name}'`, async () =>
    (await dockerFor(options)).createService(authConfig(auth, registry) as Dockerode.AuthConfig, spec as Dockerode.ServiceSpec),
  );
  return service.id;
}

/**
 * Replaces the service's spec (the engine then rolls the tasks as its UpdateConfig says);
 * `rollback: true` asks the engine to go back to the previous spec instead.
 */
export async function updateService(
  service: ServiceInfo,
  spec: ServiceSpec,
  o: { auth?: RegistryAuth | undefined; registry?: string | undefined; rollback?: boolean | undefined } & EngineOptions = {},
): Promise<void> {
  const query: Record<string, string | number> = { version: service.version };
  if (o.rollback) query.rollback = 'previous';
  else query.registryAuthFrom = 'spec';
  const auth = o.registry ? authConfig(o.auth, o.registry) : {};
  await call(o, `update the service '${service.name}'`, async () =>
    (await dockerFor(o))
      .getService(service.id)
      .update({ ...(Object.keys(auth).length > 0 ? { authconfig: auth } : {}), _query: query, _body: spec } as never),
  );
}

/** Removes the service (its tasks' containers go away shortly after); one that is gone is fine. */
export async function removeService(name: string, options: EngineOptions = {}): Promise<void> {
  try {
    await (await dockerFor(options)).getService(name).remove();
  } catch (error) {
    if (engineStatusCode(error) === 404) return;
    throw engineError(error, options, `remove the service '${name}'`);
  }
}

interface RawTask {
  ID: string;
  Slot?: number;
  CreatedAt: string;
  UpdatedAt: string;
  DesiredState: string;
  Spec?: { ContainerSpec?: { Image?: string } };
  Status?: {
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string };
    PortStatus?: { Ports?: Array<{ PublishedPort?: number }> };
  };
}

/** Every task of the service the engine still remembers, newest first. */
export async function listServiceTasks(serviceId: string, options: EngineOptions = {}): Promise<TaskInfo[]> {
  const tasks = (await call(options, 'list the tasks of a service', async () =>
    (await dockerFor(options)).listTasks({ filters: JSON.stringify({ service: [serviceId] }) }),
  )) as RawTask[];
  return tasks
    .map((task) => ({
      id: task.ID,
      slot: task.Slot ?? 0,
      state: task.Status?.State ?? 'unknown',
      desiredState: task.DesiredState,
      message: task.Status?.Message ?? '',
      error: task.Status?.Err ?? '',
      image: task.Spec?.ContainerSpec?.Image ?? '',
      ...(task.Status?.ContainerStatus?.ContainerID ? { containerId: task.Status.ContainerStatus.ContainerID } : {}),
      hostPorts: [
        ...new Set((task.Status?.PortStatus?.Ports ?? []).flatMap((port) => (port.PublishedPort ? [port.PublishedPort] : []))),
      ],
      createdAt: task.CreatedAt,
      updatedAt: task.UpdatedAt,
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  attachable: boolean;
  labels: Record<string, string>;
}

export async function inspectNetwork(name: string, options: EngineOptions = {}): Promise<NetworkInfo | undefined> {
  try {
    const raw = (await (await dockerFor(options)).getNetwork(name).inspect()) as {
      Id: string;
      Name: string;
      Driver: string;
      Attachable?: boolean;
      Labels?: Record<string, string> | null;
    };
    return { id: raw.Id, name: raw.Name, driver: raw.Driver, attachable: raw.Attachable === true, labels: raw.Labels ?? {} };
  } catch (error) {
    if (engineStatusCode(error) === 404) return undefined;
    throw engineError(error, options, `inspect the network '${name}'`);
  }
}

/** An attachable overlay network, so a container (a client, a probe) can join the service on it. */
export async function createOverlayNetwork(
  name: string,
  labels: Record<string, string>,
  options: EngineOptions = {},
): Promise<string> {
  const network = await call(options, `create the network '${name}'`, async () =>
    (await dockerFor(options)).createNetwork({
      Name: name,
      Driver: 'overlay',
      Attachable: true,
      Labels: labels,
      CheckDuplicate: true,
    }),
  );
  return network.id;
}

/** Removes a network; one that is gone is fine. */
export async function removeNetwork(name: string, options: EngineOptions = {}): Promise<void> {
  try {
    await (await dockerFor(options)).getNetwork(name).remove();
  } catch (error) {
    if (engineStatusCode(error) === 404) return;
    throw engineError(error, options, `remove the network '${name}'`);
  }
}
