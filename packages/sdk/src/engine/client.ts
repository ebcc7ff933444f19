import { Agent } from 'node:https';
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
      {
        const files = connection.certPath ? readTlsFiles(connection.certPath) : {};
        // Like the docker CLI: TLS without DOCKER_TLS_VERIFY encrypts but does not check the engine's certificate.
        const agent = new Agent({ ...files, rejectUnauthorized: connection.verify, keepAlive: true });
        // docker-modem accepts an agent; @types/dockerode does not list it.
        const options = { host: connection.host, port: connection.port, protocol: 'https' as const, ...files, agent };
        return new Docker(options as Docker.DockerOptions);
      }
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

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** TLS handshake failures: the engine is there but its certificate (or ours) does not check out. */
function isTlsFailure(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code !== undefined && (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'EPROTO')
  );
}

/** True for errors that mean "no engine answers there" rather than "the engine said no". */
export function isEngineUnreachable(error: unknown): boolean {
  const code = errorCode(error);
  return (code !== undefined && UNREACHABLE_CODES.has(code)) || isTlsFailure(error);
}

export function engineUnavailable(connection: EngineConnection, cause: unknown): EngineUnavailableError {
  const where = describeConnection(connection);
  if (isTlsFailure(cause)) {
    return new EngineUnavailableError(
      `The TLS handshake with the Docker engine at ${where} failed; point DOCKER_CERT_PATH at the engine's ca.pem, cert.pem and key.pem.`,
      { cause },
    );
  }
  const fix =
    errorCode(cause) === 'EACCES'
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
