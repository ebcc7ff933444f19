import type { EngineOptions } from '../engine/client.js';
import { type ContainerSummary, listContainersByLabel } from '../engine/containers.js';
import { LABELS } from './labels.js';

export interface ShipContainer {
  id: string;
  name: string;
  image: string;
  /** running, exited, created, ... */
  state: string;
  purpose: string;
  runId: string;
  /** `<hostname>:<pid>` of the process that made it. */
  owner?: string;
  createdAt: Date;
}

/** Every container container-ship made (label `io.container-ship.managed=true`), optionally of one run. */
export async function listShipContainers(o: { runId?: string | undefined } & EngineOptions = {}): Promise<ShipContainer[]> {
  const filter: Record<string, string> = { [LABELS.managed]: 'true', ...(o.runId ? { [LABELS.runId]: o.runId } : {}) };
  const containers = await listContainersByLabel(filter, o);
  return containers.map(toShipContainer);
}

function toShipContainer(summary: ContainerSummary): ShipContainer {
  const owner = summary.labels[LABELS.owner];
  return {
    id: summary.id,
    name: summary.name,
    image: summary.image,
    state: summary.state,
    purpose: summary.labels[LABELS.purpose] ?? 'unknown',
    runId: summary.labels[LABELS.runId] ?? '',
    ...(owner ? { owner } : {}),
    createdAt: summary.createdAt,
  };
}
