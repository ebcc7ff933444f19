import { hostname } from 'node:os';
import type { EngineOptions } from '../engine/client.js';
import { listDanglingImagesByLabel, removeContainer } from '../engine/containers.js';
import { removeImage } from '../engine/images.js';
import { LABELS } from './labels.js';
import { listShipContainers, type ShipContainer } from './list.js';

/**
 * True when `owner` names a process on this host that no longer exists. No owner (a detached
 * container) is never gone: only `all` or its run id removes it.
 */
export function ownerIsGone(owner: string | undefined, host: string, isAlive: (pid: number) => boolean): boolean {
  if (!owner) return false;
  const colon = owner.lastIndexOf(':');
  const ownerHost = owner.slice(0, colon);
  const pid = Number(owner.slice(colon + 1));
  if (colon === -1 || !Number.isInteger(pid) || pid <= 0) return true;
  // Another host's process cannot be checked from here; it counts as alive unless `all`.
  if (ownerHost !== host) return false;
  return !isAlive(pid);
}

/** `kill -0`: does a process with this pid exist on this host? */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Pure: which containers a sweep removes. With a run id, all of that run's. Otherwise the
 * leftovers: containers (running or not) whose owning process on this host is gone (a crash,
 * a kill -9), so a sweep never pulls a container from under a ship process still using it.
 * `all` takes every container-ship container.
 */
export function selectLeftovers(
  containers: ShipContainer[],
  o: { runId?: string | undefined; all?: boolean | undefined; host: string; isAlive: (pid: number) => boolean },
): ShipContainer[] {
  return containers.filter((container) => {
    if (o.runId) return container.runId === o.runId;
    if (o.all) return true;
    return ownerIsGone(container.owner, o.host, o.isAlive);
  });
}

export interface CleanupOptions extends EngineOptions {
  /** Only what this run made (containers, and with `images`, images). */
  runId?: string | undefined;
  /** Also remove untagged images container-ship built (left over after their tags moved). */
  images?: boolean | undefined;
  /** Also remove running containers whose owner may still be alive (another ship process, another host). */
  all?: boolean | undefined;
}

export interface CleanupResult {
  /** Names of the removed containers. */
  containers: string[];
  /** Ids of the removed images. */
  images: string[];
  /** Images that could not be removed (still used by a container, say), with the engine's reason. */
  skipped: Array<{ id: string; reason: string }>;
}

/**
 * Removes what crashed or killed runs left behind: labelled containers (see
 * `selectLeftovers`) and, with `images`, dangling images built by container-ship.
 */
export async function cleanup(o: CleanupOptions = {}): Promise<CleanupResult> {
  const containers = await listShipContainers(o);
  const doomed = selectLeftovers(containers, {
    runId: o.runId,
    all: o.all,
    host: hostname(),
    isAlive: processIsAlive,
  });
  const removed: string[] = [];
  for (const container of doomed) {
    await removeContainer(container.id, o);
    removed.push(container.name);
  }
  const images: string[] = [];
  const skipped: CleanupResult['skipped'] = [];
  if (o.images) {
    const filter: Record<string, string> = { [LABELS.managed]: 'true', ...(o.runId ? { [LABELS.runId]: o.runId } : {}) };
    for (const id of await listDanglingImagesByLabel(filter, o)) {
      try {
        await removeImage(id, { ...o });
        images.push(id);
      } catch (error) {
        skipped.push({ id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { containers: removed, images, skipped };
}
