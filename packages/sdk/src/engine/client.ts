import Docker from 'dockerode';
import { EngineUnavailableError } from '../errors.js';
import { describeConnection, type EngineConnection, readTlsFiles, resolveEngineConnection } from './connection.js';

/**
 * The Docker Engine API seam. Only files under `engine/` import dockerode; everything
 * else in the SDK talks to the engine through the functions exported from here.
 */
export type DockerClient = Docker;

export interface EngineOptions {
  /** Defaults to the connection `DOCKER_HOST` (and friends) describe. */
  connection?: EngineConnection;
  /** An existing client, e.g. one shared by a long-running script. */
  docker?: DockerClient;
}

export function createDockerClient(connection: EngineConnection = resolveEngineConnection()): DockerClient {
  switch (connection.kind) {
    case 'unix':
    case 'npipe':
      return new Docker({ socketPath: connection.socketPath });
    case 'tcp':
      if (!connection.tls) return new Docker({ host: connection.host, port: connection.port, protocol: 'http' });
      return new Docker({
        host: connection.host,
        port: connection.port,
        protocol: 'https',
        ...(connection.certPath ? readTlsFiles(connection.certPath) : {}),
      });
  }
}

let defaultClient: DockerClient | undefined;

/** The client for a call's options: the given one, else one built from the environment. */
export function dockerFor(options: EngineOptions = {}): DockerClient {
  if (options.docker) return options.docker;
  if (options.connection) return createDockerClient(options.connection);
  defaultClient ??= createDockerClient();
  return defaultClient;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND']);

/** True for errors that mean "no engine answers there" rather than "the engine said no". */
export function isEngineUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

export function engineUnavailable(connection: EngineConnection, cause: unknown): EngineUnavailableError {
  const where = describeConnection(connection);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const fix =
    code === 'EACCES'
      ? 'add your user to the docker group or run as root'
      : 'start Docker (or dockerd), or point DOCKER_HOST at a running engine';
  return new EngineUnavailableError(`No Docker engine answers at ${where}; ${fix}.`, { cause });
}

/** Pings the engine; throws EngineUnavailableError with the fix when it does not answer. */
export async function assertEngineReachable(options: EngineOptions = {}): Promise<void> {
  const connection = options.connection ?? resolveEngineConnection();
  try {
    await dockerFor(options).ping();
  } catch (cause) {
    throw engineUnavailable(connection, cause);
  }
}
