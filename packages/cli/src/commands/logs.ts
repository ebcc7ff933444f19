import { InvalidInputError, listShipContainers, ShipError } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

interface Flags {
  tail?: number;
  follow?: boolean;
}

/**
 * `ship logs`: finds the container among those ship started. Reading its logs needs an SDK
 * function for an existing container (the engine seam has one, the public API does not yet),
 * so until then this says so plainly instead of guessing.
 */
export async function run(ctx: CliContext, [name = '']: string[], _flags: Flags): Promise<CommandResult> {
  const container = (await listShipContainers(ctx.engine)).find((c) => c.name === name || c.id.startsWith(name));
  if (!container) throw new InvalidInputError(`No container named '${name}' was started by ship; see ship ps for the names.`);
  throw new ShipError(
    'INTERNAL',
    `ship logs cannot read ${container.name}'s logs yet because the SDK exports no log reader for an existing container; run docker logs ${container.name} meanwhile.`,
  );
}
