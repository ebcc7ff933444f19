import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Where the engine looks for per-registry CAs: `<dir>/<host:port>/*.crt`. */
export const DEFAULT_CERTS_DIR = '/etc/docker/certs.d';

export interface TlsOptions {
  /** A PEM CA bundle, or the path of one, trusted for this registry (`--ca-cert`). */
  caCert?: string | undefined;
  /** The engine-style certs directory; default `/etc/docker/certs.d`. */
  certsDir?: string | undefined;
}

export interface TlsTrust {
  ca?: string[];
  cert?: string;
  key?: string;
  /** Where the CA came from, for error messages. */
  source?: string;
}

function isPem(value: string): boolean {
  return value.includes('-----BEGIN ');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The trust for one registry host: the given CA wins; else the engine's `certs.d/<host>/`
 * (`*.crt` CAs, and a `client.cert`/`client.key` pair when present); else the system's.
 */
export async function resolveTlsTrust(host: string, options: TlsOptions = {}): Promise<TlsTrust> {
  if (options.caCert !== undefined) {
    if (isPem(options.caCert)) return { ca: [options.caCert], source: 'the given CA certificate' };
    const pem = await readIfExists(options.caCert);
    if (pem === undefined)
      throw new InvalidInputError(
        `The CA certificate file ${options.caCert} does not exist; pass the PEM file of the registry's CA with --ca-cert.`,
      );
    if (!isPem(pem))
      throw new InvalidInputError(
        `The CA certificate file ${options.caCert} is not PEM; pass a PEM file (-----BEGIN CERTIFICATE-----) with --ca-cert.`,
      );
    return { ca: [pem], source: options.caCert };
  }
  const dir = join(options.certsDir ?? DEFAULT_CERTS_DIR, host);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return {};
  }
  const trust: TlsTrust = {};
  const cas: string[] = [];
  for (const entry of entries.sort()) {
    if (entry.endsWith('.crt')) {
      const pem = await readIfExists(join(dir, entry));
      if (pem) cas.push(pem);
    } else if (entry.endsWith('.cert')) {
      const key = await readIfExists(join(dir, `${entry.slice(0, -'.cert'.length)}.key`));
      const cert = await readIfExists(join(dir, entry));
      if (key && cert) Object.assign(trust, { cert, key });
    }
  }
  if (cas.length > 0) Object.assign(trust, { ca: cas, source: dir });
  return trust;
}

/** Loopback registries may speak plain HTTP without `--insecure`, as the engine allows. */
export function isLoopbackHost(host: string): boolean {
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : (host.split(':')[0] ?? host);
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
