import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Where the Docker engine is, resolved from `DOCKER_HOST` the way the docker CLI does. */
export type EngineConnection =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'npipe'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: false }
  | { kind: 'tcp'; host: string; port: number; tls: true; verify: boolean; certPath: string | undefined };

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Pure: env in, connection out. Throws InvalidInputError for a DOCKER_HOST it cannot use. */
export function resolveEngineConnection(env: NodeJS.ProcessEnv = process.env): EngineConnection {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { kind: 'unix', socketPath: DEFAULT_SOCKET };
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  if (host.startsWith('npipe://'))
    return { kind: 'npipe', socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine' };
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    let url: URL;
    try {
      url = new URL(host.replace(/^tcp:/, 'http:'));
    } catch (cause) {
      throw new InvalidInputError(
        `DOCKER_HOST '${host}' is not a valid address; use unix:///path/docker.sock or tcp://host:port.`,
        { cause },
      );
    }
    const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
    const tls = verify || url.protocol === 'https:' || url.port === '2376';
    const port = Number(url.port || (tls ? 2376 : 2375));
    if (!tls) return { kind: 'tcp', host: url.hostname, port, tls: false };
    return { kind: 'tcp', host: url.hostname, port, tls: true, verify, certPath: env.DOCKER_CERT_PATH || undefined };
  }
  if (host.startsWith('ssh://')) {
    throw new InvalidInputError(
      `DOCKER_HOST '${host}' uses ssh, which container-ship does not support yet; forward the socket (ssh -L) and use unix:// or tcp://.`,
    );
  }
  throw new InvalidInputError(`DOCKER_HOST '${host}' has an unknown scheme; use unix:///path/docker.sock or tcp://host:port.`);
}

/** A human description for error messages ("unix:///var/run/docker.sock"). */
export function describeConnection(connection: EngineConnection): string {
  switch (connection.kind) {
    case 'unix':
      return `unix://${connection.socketPath}`;
    case 'npipe':
      return `npipe://${connection.socketPath}`;
    case 'tcp':
      return `${connection.tls ? 'https' : 'tcp'}://${connection.host}:${connection.port}`;
  }
}

/** Reads the TLS material DOCKER_CERT_PATH names (ca.pem, cert.pem, key.pem). */
export function readTlsFiles(certPath: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  return {
    ca: readFileSync(join(certPath, 'ca.pem')),
    cert: readFileSync(join(certPath, 'cert.pem')),
    key: readFileSync(join(certPath, 'key.pem')),
  };
}
