import { listShipContainers } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { renderTable } from '../output/table.js';

/** `ship ps`: the containers ship started (label io.container-ship.managed). */
export async function run(ctx: CliContext): Promise<CommandResult> {
  const containers = await listShipContainers(ctx.engine);
  const text =
    containers.length === 0
      ? 'No containers started by ship.'
      : renderTable(
          {
            head: ['NAME', 'IMAGE', 'STATE', 'PURPOSE', 'CREATED'],
            rows: containers.map((c) => [c.name, c.image, c.state, c.purpose, c.createdAt.toISOString()]),
          },
          { head: ctx.out.bold },
        );
  return { data: { containers }, text, quietText: containers.map((c) => c.name).join('\n') };
}
