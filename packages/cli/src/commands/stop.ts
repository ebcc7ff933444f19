import { cleanup, InvalidInputError, listShipContainers } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';

/** `ship stop NAME...` / `--all`: stop and remove containers ship started (by their run, so nothing of it lingers). */
export async function run(ctx: CliContext, names: string[], flags: Flags<'stop'>): Promise<CommandResult> {
  if (!flags.all && names.length === 0) throw new InvalidInputError('No container was named; pass names from ship ps, or --all.');
  let removed: string[];
  if (flags.all) {
    removed = (await cleanup({ all: true, ...ctx.engine })).containers;
  } else {
    const containers = await listShipContainers(ctx.engine);
    removed = [];
    for (const name of names) {
      const match = containers.find((c) => c.name === name || c.id.startsWith(name));
      if (!match) throw new InvalidInputError(`No container named '${name}' was started by ship; see ship ps for the names.`);
      removed.push(...(await cleanup({ runId: match.runId, all: true, ...ctx.engine })).containers);
    }
  }
  const text =
    removed.length === 0 ? 'Nothing to stop.' : removed.map((name) => `${ctx.out.green('✔')} removed ${name}`).join('\n');
  return { data: { removed }, text, quietText: removed.join('\n') };
}
