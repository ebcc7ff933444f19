import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Every container (and every image `release` builds) carries these labels, so a sweep can
 * find what a crashed or killed run left behind.
 */
export const LABELS = {
  managed: 'io.container-ship.managed',
  runId: 'io.container-ship.run-id',
  purpose: 'io.container-ship.purpose',
  /** `<hostname>:<pid>` of the process that created it; the sweep leaves live owners alone. */
  owner: 'io.container-ship.owner',
} as const;

export type ContainerPurpose = 'run' | 'smoke' | 'release' | (string & {});

/** A short id that ties together everything one call (a release, a smoke test) creates. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/** This process, as the owner label spells it. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}

export function shipLabels(o: { runId: string; purpose: ContainerPurpose }): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.runId]: o.runId,
    [LABELS.purpose]: o.purpose,
    [LABELS.owner]: currentOwner(),
  };
}
