import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { parseEngineAddress } from '../connection.js';
import type { DiscoveryInput, DiscoveryStrategy, Finding } from './strategy.js';

/** `$DOCKER_CONFIG`, else `~/.docker`: where the docker CLI keeps config.json and contexts. */
export function dockerConfigDir(input: DiscoveryInput): string {
  return input.env.DOCKER_CONFIG || join(input.home, '.docker');
}

interface ContextMeta {
  Name?: unknown;
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

/**
 * A named context, read where the docker CLI stores it: `contexts/meta/<sha256(name)>/meta.json`
 * for the endpoint, `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem` for its TLS files.
 * The `default` context is no context: discovery goes on to the sockets.
 */
export function readContext(input: DiscoveryInput, name: string, source: string): Finding {
  if (name === 'default') return { found: false, tried: [`${source} (default)`] };
  const config = dockerConfigDir(input);
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(config, 'contexts', 'meta', id, 'meta.json');
  const text = input.readFile(metaPath);
  const where = `docker context '${name}' (${source})`;
  if (text === undefined) {
    throw new InvalidInputError(
      `The ${where} does not exist in ${join(config, 'contexts')}; create it with 'docker context create ${name}' or pick one from 'docker context ls'.`,
    );
  }
  let meta: ContextMeta;
  try {
    meta = JSON.parse(text) as ContextMeta;
  } catch (cause) {
    throw new InvalidInputError(`The ${where} has a broken ${metaPath}; recreate the context with 'docker context create'.`, {
      cause,
    });
  }
  const endpoint = meta.Endpoints?.docker;
  if (typeof endpoint?.Host !== 'string' || endpoint.Host === '') {
    throw new InvalidInputError(`The ${where} has no docker endpoint in ${metaPath}; recreate it with 'docker context create'.`);
  }
  const tlsDir = join(config, 'contexts', 'tls', id, 'docker');
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((file) => input.exists(join(tlsDir, file)));
  const connection = parseEngineAddress(
    endpoint.Host,
    { enabled: hasTls, verify: hasTls && endpoint.SkipTLSVerify !== true, certPath: hasTls ? tlsDir : undefined },
    where,
  );
  return { found: true, connection, detail: `${where}: ${endpoint.Host}` };
}

/** `DOCKER_CONTEXT` names the context for this shell, over config.json's current one. */
export const dockerContextEnvStrategy: DiscoveryStrategy = {
  rule: 'DOCKER_CONTEXT',
  explicit: true,
  find(input) {
    const name = input.env.DOCKER_CONTEXT?.trim();
    if (!name) return { found: false, tried: ['DOCKER_CONTEXT (unset)'] };
    return readContext(input, name, 'DOCKER_CONTEXT');
  },
};

/** `currentContext` in config.json, as `docker context use NAME` (Colima, Rancher Desktop, OrbStack) writes it. */
export const currentContextStrategy: DiscoveryStrategy = {
  rule: 'docker context',
  explicit: true,
  find(input) {
    // DOCKER_CONTEXT=default chooses the default context over config.json's.
    if (input.env.DOCKER_CONTEXT?.trim()) return { found: false, tried: ['currentContext (DOCKER_CONTEXT overrides it)'] };
    const path = join(dockerConfigDir(input), 'config.json');
    const text = input.readFile(path);
    if (text === undefined) return { found: false, tried: [`${path} (missing)`] };
    let current: unknown;
    try {
      current = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    } catch {
      // A config.json the docker CLI cannot read either; registry auth reports it where it matters.
      return { found: false, tried: [`${path} (not JSON)`] };
    }
    if (typeof current !== 'string' || current === '') return { found: false, tried: [`${path} (no currentContext)`] };
    return readContext(input, current, `currentContext in ${path}`);
  },
};
