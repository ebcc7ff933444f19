import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * What `npm run testbed` brought up, read by real-engine tests. Tests never start the
 * shared engine or registries themselves; they read this file and use their own names.
 */
export interface TestbedState {
  /** null: the default socket (or whatever DOCKER_HOST says). */
  dockerHost: string | null;
  /** The base image the example's FROM names, present in the engine. */
  baseImage: string;
  /** The `docker-registry` binary, when tests may start registries of their own; else null. */
  registryBinary: string | null;
  registries: {
    /** No auth, plain HTTP on loopback. */
    plain: { host: string };
    /** htpasswd basic auth, plain HTTP on loopback. */
    auth: { host: string; username: string; password: string };
  };
}

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const exampleAppDir = fileURLToPath(new URL('../../../examples/flask-app/', import.meta.url));

export function testbedStatePath(): string {
  return process.env.SHIP_TESTBED_STATE ?? fileURLToPath(new URL('../../../.testbed/state.json', import.meta.url));
}

let cached: TestbedState | undefined;

export function loadTestbed(): TestbedState {
  if (cached) return cached;
  const path = testbedStatePath();
  try {
    cached = JSON.parse(readFileSync(path, 'utf8')) as TestbedState;
  } catch (cause) {
    throw new Error(`No test bed state at ${path}; run 'npm run testbed' first (npm test does it for you).`, { cause });
  }
  return cached;
}

/** A name no other test (or helper, or parallel run) uses: `prefix-<random>`, lower case. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
}
