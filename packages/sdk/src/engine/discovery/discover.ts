import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { DEFAULT_SOCKET, type EngineConnection } from '../connection.js';
import { currentContextStrategy, dockerContextEnvStrategy } from './docker-context.js';
import { dockerHostStrategy } from './docker-host.js';
import { colimaStrategy, defaultSocketStrategy, dockerDesktopStrategy, podmanStrategy, rootlessStrategy } from './sockets.js';
import type { DiscoveryInput, DiscoveryStrategy, EngineRule } from './strategy.js';

/** The docker CLI's order (DOCKER_HOST, DOCKER_CONTEXT, the current context, the default socket), then testcontainers'. */
export const DISCOVERY_STRATEGIES: readonly DiscoveryStrategy[] = [
  dockerHostStrategy,
  dockerContextEnvStrategy,
  currentContextStrategy,
  defaultSocketStrategy,
  rootlessStrategy,
  dockerDesktopStrategy,
  colimaStrategy,
  podmanStrategy,
];

/** Which engine discovery chose, by which rule, and what it looked at before. */
export interface EngineDiscovery {
  connection: EngineConnection;
  /** Undefined when nothing was found and the default socket is used anyway (so errors name it). */
  rule: EngineRule | undefined;
  detail: string;
  /** Everything looked at before the choice, e.g. `DOCKER_HOST (unset)`, `/run/user/1000/docker.sock (missing)`. */
  tried: string[];
}

/** Pure: environment and files in, the engine to use out. Throws InvalidInputError for an address or context it cannot use. */
export function discoverEngine(
  input: DiscoveryInput,
  strategies: readonly DiscoveryStrategy[] = DISCOVERY_STRATEGIES,
): EngineDiscovery {
  const tried: string[] = [];
  for (const strategy of strategies) {
    const finding = strategy.find(input);
    if (finding.found) return { connection: finding.connection, rule: strategy.rule, detail: finding.detail, tried };
    tried.push(...finding.tried);
  }
  return { connection: { kind: 'unix', socketPath: DEFAULT_SOCKET }, rule: undefined, detail: 'nothing found', tried };
}

/** The real environment and file system. */
export function systemDiscoveryInput(env: NodeJS.ProcessEnv = process.env): DiscoveryInput {
  return {
    env,
    home: env.HOME || homedir(),
    uid: process.getuid?.(),
    exists: (path) => existsSync(path),
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** The connection discovery chooses for this environment (DOCKER_HOST, a docker context, or a well-known socket). */
export function resolveEngineConnection(env: NodeJS.ProcessEnv = process.env): EngineConnection {
  return discoverEngine(systemDiscoveryInput(env)).connection;
}
