import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Where the engine is: a socket, tcp (optionally TLS), or ssh to a host whose docker CLI dials the engine. */
export type EngineConnection =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'npipe'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: false }
  | { kind: 'tcp'; host: string; port: number; tls: true; verify: boolean; certPath: string | undefined }
  | { kind: 'ssh'; host: string; port: number; user: string | undefined };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** How TLS is set for a tcp address: DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, or a docker context's TLS files. */
export interface TlsSettings {
  verify: boolean;
  /** Forces TLS on, as a context with TLS files or DOCKER_TLS_VERIFY does. */
  enabled: boolean;
  certPath: string | undefined;
}

export function tlsFromEnv(env: Readonly<Record<string, string | undefined>>): TlsSettings {
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  return { verify, enabled: verify, certPath: env.DOCKER_CERT_PATH || undefined };
}

/**
 * Pure: an engine address as `DOCKER_HOST` or a docker context's endpoint spells it → a connection.
 * `where` names the source in error messages ("DOCKER_HOST", "docker context 'colima'").
 */
export function parseEngineAddress(address: string, tls: TlsSettings, where = 'DOCKER_HOST'): EngineConnection {
  const host = address.trim();
  const fix = 'use unix:///path/docker.sock, tcp://host:port or ssh://user@host';
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  if (host.startsWith('npipe://'))
    return { kind: 'npipe', socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine' };
  const scheme = /^(tcp|http|https|ssh):\/\//.exec(host)?.[1];
  if (!scheme) throw new InvalidInputError(`${where} '${host}' has an unknown scheme; ${fix}.`);
  let url: URL;
  try {
    url = new URL(scheme === 'tcp' || scheme === 'ssh' ? host.replace(/^[a-z]+:/, 'http:') : host);
  } catch (cause) {
    throw new InvalidInputError(`${where} '${host}' is not a valid address; ${fix}.`, { cause });
  }
  if (scheme === 'ssh') {
    if (url.pathname !== '/' && url.pathname !== '')
      throw new InvalidInputError(`${where} '${host}' has a path after the host; ssh addresses are ssh://user@host[:port].`);
    if (url.password)
      throw new InvalidInputError(`${where} contains a password; remove it and let your ssh agent or key authenticate.`);
    return {
      kind: 'ssh',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 22),
      user: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }
  const useTls = tls.enabled || scheme === 'https' || url.port === '2376';
  const port = Number(url.port || (useTls ? 2376 : 2375));
  if (!useTls) return { kind: 'tcp', host: url.hostname, port, tls: false };
  return { kind: 'tcp', host: url.hostname, port, tls: true, verify: tls.verify, certPath: tls.certPath };
}

/** A human description for messages ("unix:///var/run/docker.sock", "ssh://root@host:2222"). */
export function describeConnection(connection: EngineConnection): string {
  switch (connection.kind) {
    case 'unix':
      return `unix://${connection.socketPath}`;
    case 'npipe':
      return `npipe://${connection.socketPath}`;
    case 'tcp':
      return `${connection.tls ? 'https' : 'tcp'}://${connection.host}:${connection.port}`;
    case 'ssh':
      return `ssh://${connection.user ? `${connection.user}@` : ''}${connection.host}${connection.port === 22 ? '' : `:${connection.port}`}`;
  }
}

/** Reads the TLS material in a cert directory (ca.pem, cert.pem, key.pem); a docker context may hold only some. */
export function readTlsFiles(certPath: string): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const path = join(certPath, `${name}.pem`);
    if (existsSync(path)) files[name] = readFileSync(path);
  }
  return files;
}
