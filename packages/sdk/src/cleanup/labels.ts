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
  /** `<hostname>:<pid>` of the process that holds it; the default sweep takes it once that process is gone. */
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

/**
 * The labels of a container ship makes. A `detached` container (meant to outlive its process,
 * like `ship run --detach`) gets no owner, so the default sweep never takes it for a leftover.
 */
export function shipLabels(o: {
  runId: string;
  purpose: ContainerPurpose;
  detached?: boolean | undefined;
}): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.runId]: o.runId,
    [LABELS.purpose]: o.purpose,
    ...(o.detached ? {} : { [LABELS.owner]: currentOwner() }),
  };
}
