import { randomBytes } from 'node:crypto';
import type { RegistryAuth } from '../auth/registry-auth.js';
import { type ContainerPurpose, newRunId, shipLabels } from '../cleanup/labels.js';
import { type EngineOptions, type PublishedPort, reachPublishedPort } from '../engine/client.js';
import {
  type ContainerState,
  containerLogs,
  createContainer,
  followContainerLogs,
  inspectContainer,
  isNoSuchImage,
  type PortBinding,
  portInUseFrom,
  removeContainer,
  startContainer,
  stopContainer,
  waitContainer,
} from '../engine/containers.js';
import { engineErrorMessage, engineStatusCode } from '../engine/engine-errors.js';
import { AbortedError, isShipError, RegistryError, ShipError, throwIfAborted } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { pullImage } from '../push/pull-image.js';
import { parsePortSpec } from './ports.js';

export interface RunContainerOptions extends EngineOptions {
  image: string;
  /** `5000`, `'8080:5000'`, `'127.0.0.1::5000/udp'`: published on 127.0.0.1, host port picked by the engine unless given. */
  ports?: Array<number | string> | undefined;
  env?: Record<string, string> | undefined;
  /** Default: `ship-<purpose>-<runId>-<random>`. */
  name?: string | undefined;
  /** Extra labels; the `io.container-ship.*` ones are always added. */
  labels?: Record<string, string> | undefined;
  command?: string[] | undefined;
  /** Groups this container with the rest of one call's work for `cleanup({ runId })`. Default: a new id. */
  runId?: string | undefined;
  /** Why it runs: `run`, `smoke`, ... Default `run`. */
  purpose?: ContainerPurpose | undefined;
  /**
   * Meant to outlive this process (`ship run --detach`): the container gets no owner label,
   * so `cleanup()` leaves it alone until asked for its run id or `all`.
   */
  detached?: boolean | undefined;
  /** Pull the image when the engine does not have it (`missing`, like `docker run`), or never. Default `missing`. */
  pull?: 'missing' | 'never' | undefined;
  /** Credentials for that pull; else resolved like `docker pull` does (DOCKER_AUTH_CONFIG, docker config). */
  auth?: RegistryAuth | undefined;
  /** Aborting before the container is up rejects with AbortedError; aborting later removes the container. */
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface RunningContainer extends AsyncDisposable {
  id: string;
  name: string;
  runId: string;
  image: string;
  /** The ports as published, with the host ports the engine chose. */
  ports: PortBinding[];
  /** `http://127.0.0.1:<hostPort>` for a container port (default: the first published). */
  urlFor(port?: number): string;
  hostPort(port?: number): number;
  /** State, exit code and HEALTHCHECK status right now; undefined once removed. */
  inspect(): Promise<ContainerState | undefined>;
  /** Its output so far; `stderrOnly` for just stderr. */
  logs(o?: { tail?: number | undefined; stderrOnly?: boolean | undefined }): Promise<string>;
  /** Follows stdout and stderr line by line; call the returned function to stop. */
  streamLogs(onLine: (line: string) => void): () => void;
  wait(o?: { signal?: AbortSignal | undefined }): Promise<{ exitCode: number }>;
  stop(o?: { timeoutSeconds?: number | undefined }): Promise<void>;
  /** Force-removes the container; safe to call twice. */
  remove(): Promise<void>;
}

function containerName(purpose: string, runId: string): string {
  return `ship-${purpose}-${runId}-${randomBytes(2).toString('hex')}`;
}

function imageNotFound(image: string, cause: unknown): ShipError {
  const reason = cause instanceof RegistryError && cause.reason ? ` (${cause.reason})` : '';
  return new ShipError(
    'IMAGE_NOT_FOUND',
    `Image '${image}' is not in the engine and could not be pulled${reason}; build it first (ship build) or pull it, and check the name and your registry login.`,
    { cause },
  );
}

async function create(o: RunContainerOptions, spec: Parameters<typeof createContainer>[0]): Promise<string> {
  try {
    return await createContainer(spec, o);
  } catch (error) {
    if (isShipError(error)) throw error;
    if (isNoSuchImage(error)) {
      if (o.pull === 'never') throw imageNotFound(o.image, error);
      try {
        await pullImage({
          image: o.image,
          auth: o.auth,
          connection: o.connection,
          docker: o.docker,
          signal: o.signal,
          onProgress: o.onProgress,
        });
      } catch (pullError) {
        if (pullError instanceof AbortedError) throw pullError;
        throw imageNotFound(o.image, pullError);
      }
      return create({ ...o, pull: 'never' }, spec);
    }
    if (engineStatusCode(error) === 409) {
      throw new ShipError(
        'INVALID_INPUT',
        `A container named '${spec.name}' already exists; choose another name or remove it (ship cleanup).`,
        { cause: error },
      );
    }
    throw new ShipError(
      'CONTAINER_FAILED',
      `The engine could not create a container from '${o.image}' (${engineErrorMessage(error)}); check the image and options.`,
      { cause: error },
    );
  }
}

function startFailure(o: RunContainerOptions, bindings: PortBinding[], error: unknown): ShipError {
  if (isShipError(error)) return error;
  const inUse = portInUseFrom(error);
  if (inUse) {
    const binding = bindings.find((b) => b.hostPort === inUse.hostPort) ?? bindings.find((b) => b.hostPort !== 0);
    const port = inUse.hostPort ?? binding?.hostPort;
    const ip = inUse.hostIp ?? binding?.hostIp ?? '127.0.0.1';
    const container = binding?.containerPort ?? 5000;
    return new ShipError(
      'PORT_IN_USE',
      `Port ${port} on ${ip} is already in use; stop whatever listens there, pick another host port, or publish '${container}' alone to let the engine choose a free one.`,
      { cause: error },
    );
  }
  return new ShipError(
    'CONTAINER_FAILED',
    `Container from '${o.image}' failed to start (${engineErrorMessage(error)}); check the image's CMD/ENTRYPOINT and the command given.`,
    { cause: error },
  );
}

/**
 * Creates and starts a labelled container, publishing ports on 127.0.0.1. The result is an
 * async disposable: `await using app = await runContainer(...)` removes it however the
 * block ends. Any failure after creation removes the container before rejecting.
 */
export async function runContainer(o: RunContainerOptions): Promise<RunningContainer> {
  throwIfAborted(o.signal);
  const engine: EngineOptions = { connection: o.connection, discovery: o.discovery, docker: o.docker };
  const runId = o.runId ?? newRunId();
  const purpose = o.purpose ?? 'run';
  const bindings = (o.ports ?? []).map(parsePortSpec);
  const name = o.name ?? containerName(purpose, runId);
  const id = await create(o, {
    image: o.image,
    name,
    ...(o.env ? { env: o.env } : {}),
    ...(o.command ? { command: o.command } : {}),
    labels: { ...o.labels, ...shipLabels({ runId, purpose, ...(o.detached ? { detached: true } : {}) }) },
    ports: bindings,
  });

  let removal: Promise<void> | undefined;
  /** Per container port: where this process reaches it (an ssh tunnel's local end for an ssh engine). */
  const reached = new Map<number, PublishedPort>();
  const onAbort = () => {
    remove().catch(() => {});
  };
  const remove = () => {
    o.signal?.removeEventListener('abort', onAbort);
    removal ??= Promise.all([...reached.values()].map((port) => port.close())).then(() => removeContainer(id, engine));
    return removal;
  };

  let state: ContainerState | undefined;
  try {
    throwIfAborted(o.signal);
    await startContainer(id, engine).catch((error) => {
      throw startFailure(o, bindings, error);
    });
    throwIfAborted(o.signal);
    state = await inspectContainer(id, engine);
    throwIfAborted(o.signal);
    for (const binding of bindings) {
      const published = state?.hostPorts[`${binding.containerPort}/${binding.protocol}`];
      if (binding.protocol === 'tcp' && published) {
        reached.set(binding.containerPort, await reachPublishedPort(engine, binding.hostIp, published));
      }
    }
  } catch (error) {
    await remove().catch(() => {});
    throw error;
  }
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const ports = bindings.map((binding) => ({
    ...binding,
    hostPort: state?.hostPorts[`${binding.containerPort}/${binding.protocol}`] ?? binding.hostPort,
  }));
  const hostPort = (port?: number): number => {
    const binding = port === undefined ? ports[0] : ports.find((p) => p.containerPort === port);
    if (!binding) {
      throw new ShipError(
        'INVALID_INPUT',
        port === undefined
          ? `Container '${name}' publishes no ports; pass ports: [5000] to runContainer.`
          : `Container '${name}' does not publish port ${port}; add it to ports.`,
      );
    }
    if (binding.hostPort === 0) {
      throw new ShipError(
        'CONTAINER_FAILED',
        `Container '${name}' stopped before port ${binding.containerPort} was published; read its logs for the reason.`,
      );
    }
    return binding.hostPort;
  };
  o.onProgress?.({
    type: 'info',
    phase: 'run',
    message: `Started ${name} from ${o.image}${ports.map((p) => ` ${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join('')}`,
  });

  return {
    id,
    name,
    runId,
    image: o.image,
    ports,
    hostPort,
    urlFor: (port?: number) => {
      const binding = port === undefined ? ports[0] : ports.find((p) => p.containerPort === port);
      const published = hostPort(port);
      const target = binding ? reached.get(binding.containerPort) : undefined;
      const host = target?.host ?? '127.0.0.1';
      return `http://${host.includes(':') ? `[${host}]` : host}:${target?.port ?? published}`;
    },
    inspect: () => inspectContainer(id, engine),
    logs: (options = {}) => containerLogs(id, { ...engine, ...options }),
    streamLogs: (onLine) => followContainerLogs(id, onLine, engine),
    wait: (options = {}) => waitContainer(id, { ...engine, ...options }),
    stop: (options = {}) => stopContainer(id, { ...engine, ...options }),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
