import { Agent } from 'node:https';
import type Docker from 'dockerode';
import { EngineUnavailableError } from '../errors.js';
import { describeConnection, type EngineConnection, readTlsFiles } from './connection.js';
import { discoverEngine, type EngineDiscovery, systemDiscoveryInput } from './discovery/discover.js';
import type { SshEngine } from './ssh.js';
import { isSshFailure } from './ssh-error.js';

/**
 * The Docker Engine API seam. Only files under `engine/` import dockerode; everything
 * else in the SDK talks to the engine through the functions exported from here. dockerode
 * (with docker-modem, gRPC and protobuf under it) and ssh2 are loaded on the first engine call,
 * so commands that never reach an engine (`ship promote`, `tags`, `lint`, `login`) never load them.
 */
/** @internal dockerode's client; its type never reaches the published declarations. */
export type DockerClient = Docker;

/**
 * An engine client to share between calls: a `dockerode` instance (structurally, anything with
 * dockerode's `modem`). Declared here so the SDK's published types do not depend on dockerode's.
 */
export interface EngineClient {
  readonly modem: object;
}

export interface EngineOptions {
  /** Defaults to the connection discovery finds (DOCKER_HOST, DOCKER_CONTEXT, the current docker context, known sockets). */
  connection?: EngineConnection | undefined;
  /** How `connection` was found, for messages that say what was tried. */
  discovery?: EngineDiscovery | undefined;
  /** An existing client, e.g. one shared by a long-running script. */
  docker?: EngineClient | undefined;
}

/** @internal */
export async function createDockerClient(
  connection: EngineConnection = discoverEngine(systemDiscoveryInput()).connection,
): Promise<DockerClient> {
  const { default: Docker } = await import('dockerode');
  switch (connection.kind) {
    case 'ssh':
      // docker-modem's own ssh agent logs in once per request; ours shares one login (see ssh.ts).
      return new Docker({
        protocol: 'http',
        host: 'docker',
        port: 80,
        agent: (await sshEngine(connection)).agent,
      } as Docker.DockerOptions);
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

let defaultDiscovery: EngineDiscovery | undefined;
const clients = new Map<string, Promise<DockerClient>>();
const sshEngines = new Map<string, Promise<SshEngine>>();

/** Discovery for the process environment, done once. */
function defaultEngine(): EngineDiscovery {
  defaultDiscovery ??= discoverEngine(systemDiscoveryInput());
  return defaultDiscovery;
}

/** The connection a call uses, and how it was found. */
export function engineFor(options: EngineOptions = {}): EngineDiscovery {
  if (options.connection) {
    return options.discovery ?? { connection: options.connection, rule: undefined, detail: 'given by the caller', tried: [] };
  }
  return options.discovery ?? defaultEngine();
}

/** One value per connection (the TLS settings included), made on first use; a failed one is made again next time. */
function perConnection<T>(cache: Map<string, Promise<T>>, connection: EngineConnection, make: () => Promise<T>): Promise<T> {
  const key = JSON.stringify(connection);
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

/** One ssh login per ssh engine, shared by every request and tunnel to it. */
function sshEngine(connection: Extract<EngineConnection, { kind: 'ssh' }>): Promise<SshEngine> {
  return perConnection(sshEngines, connection, async () => (await import('./ssh.js')).openSshEngine(connection));
}

/** @internal The client for a call's options: the given one, else one per connection (discovered from the environment by default). */
export async function dockerFor(options: EngineOptions = {}): Promise<DockerClient> {
  if (options.docker) return options.docker as DockerClient;
  const { connection } = engineFor(options);
  return perConnection(clients, connection, () => createDockerClient(connection));
}

/** Where to reach a port the engine published: itself for a local engine, a local end of an ssh tunnel for an ssh one. */
export interface PublishedPort {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function reachPublishedPort(options: EngineOptions, hostIp: string, hostPort: number): Promise<PublishedPort> {
  const host = hostIp === '0.0.0.0' || hostIp === '' ? '127.0.0.1' : hostIp;
  const { connection } = engineFor(options);
  if (options.docker || connection.kind !== 'ssh') return { host, port: hostPort, close: async () => {} };
  const tunnel = await (await sshEngine(connection)).forward(host, hostPort);
  return { host: '127.0.0.1', port: tunnel.port, close: tunnel.close };
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
  return (code !== undefined && UNREACHABLE_CODES.has(code)) || isTlsFailure(error) || isSshFailure(error);
}

export function engineUnavailable(options: EngineOptions, cause: unknown): EngineUnavailableError {
  const discovery = engineFor(options);
  const where = describeConnection(discovery.connection);
  if (isTlsFailure(cause)) {
    return new EngineUnavailableError(
      `The TLS handshake with the Docker engine at ${where} failed; point DOCKER_CERT_PATH at the engine's ca.pem, cert.pem and key.pem.`,
      { cause },
    );
  }
  if (errorCode(cause) === 'EACCES') {
    return new EngineUnavailableError(`No Docker engine answers at ${where}; add your user to the docker group or run as root.`, {
      cause,
    });
  }
  if (isSshFailure(cause)) {
    return new EngineUnavailableError(`The ssh connection to the engine at ${where} failed: ${cause.message}.`, { cause });
  }
  // DOCKER_HOST or a caller's connection names the address itself; other rules say how it was found.
  const how =
    discovery.rule === undefined
      ? discovery.tried.length > 0
        ? `, and none was found elsewhere (tried ${discovery.tried.join(', ')})`
        : ''
      : discovery.rule === 'DOCKER_HOST'
        ? ''
        : ` (found by the ${discovery.rule} rule)`;
  return new EngineUnavailableError(
    `No Docker engine answers at ${where}${how}; start Docker (or dockerd), or point DOCKER_HOST at a running engine.`,
    { cause },
  );
}

/** Pings the engine; throws EngineUnavailableError with the fix when it does not answer. */
export async function assertEngineReachable(options: EngineOptions = {}): Promise<void> {
  try {
    await (await dockerFor(options)).ping();
  } catch (cause) {
    throw engineUnavailable(options, cause);
  }
}
