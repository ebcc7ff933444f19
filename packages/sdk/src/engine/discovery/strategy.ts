import type { EngineConnection } from '../connection.js';

/** What discovery reads: the environment and the files it names. Tests pass a table; the SDK passes the real ones. */
export interface DiscoveryInput {
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  home: string;
  /** The user id, for the rootless default `/run/user/<uid>`. */
  uid: number | undefined;
  /** True when something (a socket, a file) exists at `path`. */
  exists(path: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

/** The rules, in the docker CLI's order of precedence, then the well-known sockets testcontainers tries. */
export type EngineRule =
  | 'DOCKER_HOST'
  | 'DOCKER_CONTEXT'
  | 'docker context'
  | 'default socket'
  | 'rootless'
  | 'Docker Desktop'
  | 'Colima'
  | 'Podman';

/** One strategy's answer: a connection, or what it looked at and why it did not take it. */
export type Finding = { found: true; connection: EngineConnection; detail: string } | { found: false; tried: string[] };

/**
 * One way of finding the engine. An `explicit` strategy is the user's choice (an environment
 * variable, a docker context): when it finds something, nothing after it is considered, as
 * the docker CLI does. The others are sockets that are used when they exist.
 */
export interface DiscoveryStrategy {
  rule: EngineRule;
  explicit: boolean;
  find(input: DiscoveryInput): Finding;
}

/** The first of `paths` that exists, as a unix connection; else what was tried. */
export function firstSocket(input: DiscoveryInput, paths: readonly string[], detail: string): Finding {
  for (const socketPath of paths) {
    if (input.exists(socketPath)) return { found: true, connection: { kind: 'unix', socketPath }, detail };
  }
  return { found: false, tried: paths.map((path) => `${path} (missing)`) };
}

/** `$XDG_RUNTIME_DIR`, else `/run/user/<uid>` as systemd makes it; undefined for root without one. */
export function runtimeDir(input: DiscoveryInput): string | undefined {
  const fromEnv = input.env.XDG_RUNTIME_DIR;
  if (fromEnv) return fromEnv;
  return input.uid !== undefined && input.uid !== 0 ? `/run/user/${input.uid}` : undefined;
}
