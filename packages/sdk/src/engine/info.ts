import { dockerFor, type EngineOptions, engineFor, engineUnavailable } from './client.js';
import { describeConnection } from './connection.js';
import type { EngineRule } from './discovery/strategy.js';

export type EngineBuilder = 'buildkit' | 'classic';

/** What `GET /version` says, in the fields that decide what the engine offers. */
export interface EngineVersionInfo {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
  Platform?: { Name?: string };
  Components?: Array<{ Name?: string; Version?: string }>;
}

/** Podman's Docker-compatible service names itself in the components of /version. */
export function engineProduct(version: EngineVersionInfo): 'Docker' | 'Podman' {
  const names = [version.Platform?.Name ?? '', ...(version.Components ?? []).map((component) => component.Name ?? '')];
  return names.some((name) => /podman/i.test(name)) ? 'Podman' : 'Docker';
}

function apiAtLeast(apiVersion: string | undefined, major: number, minor: number): boolean {
  const [maj = 0, min = 0] = (apiVersion ?? '').split('.').map(Number);
  return maj > major || (maj === major && min >= minor);
}

/**
 * Pure: the builders an engine offers. BuildKit comes with Docker's API 1.39 (Engine 18.09) and
 * later; Podman's compatible API builds with Buildah behind the classic builder's endpoint only.
 */
export function engineBuilders(version: EngineVersionInfo): EngineBuilder[] {
  return engineProduct(version) === 'Docker' && apiAtLeast(version.ApiVersion, 1, 39) ? ['buildkit', 'classic'] : ['classic'];
}

export interface EngineReport {
  /** `unix:///var/run/docker.sock`, `ssh://root@host:2222`, ... */
  address: string;
  /** The discovery rule that chose it; undefined when the caller gave the connection or nothing was found. */
  rule: EngineRule | undefined;
  /** What the rule read, e.g. `DOCKER_HOST=ssh://root@127.0.0.1:2222`. */
  detail: string;
  /** What discovery looked at before, in order. */
  tried: string[];
  product: 'Docker' | 'Podman';
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  builders: EngineBuilder[];
}

/** Asks the engine who it is; throws EngineUnavailableError (saying what was tried) when it does not answer. */
export async function inspectEngine(options: EngineOptions = {}): Promise<EngineReport> {
  const discovery = engineFor(options);
  let version: EngineVersionInfo;
  try {
    version = (await (await dockerFor(options)).version()) as EngineVersionInfo;
  } catch (cause) {
    throw engineUnavailable(options, cause);
  }
  return {
    address: describeConnection(discovery.connection),
    rule: discovery.rule,
    detail: discovery.detail,
    tried: discovery.tried,
    product: engineProduct(version),
    version: version.Version ?? 'unknown',
    apiVersion: version.ApiVersion ?? 'unknown',
    os: version.Os ?? 'unknown',
    arch: version.Arch ?? 'unknown',
    builders: engineBuilders(version),
  };
}
