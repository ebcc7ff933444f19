import { containerLogs, followContainerLogs, InvalidInputError, listShipContainers } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

interface Flags {
  tail?: number;
  follow?: boolean;
}

/** `ship logs`: the output of a container ship started; `--follow` streams until Ctrl-C or its exit. */
export async function run(ctx: CliContext, [name = '']: string[], flags: Flags): Promise<CommandResult> {
  const container = (await listShipContainers(ctx.engine)).find((c) => c.name === name || c.id.startsWith(name));
  if (!container) throw new InvalidInputError(`No container named '${name}' was started by ship; see ship ps for the names.`);
  if (!flags.follow) {
    const logs = await containerLogs(container.id, { ...(flags.tail === undefined ? {} : { tail: flags.tail }), ...ctx.engine });
    return { data: { name: container.name, logs }, text: logs, quietText: logs };
  }
  await new Promise<void>((resolve) => {
    const stop = followContainerLogs(container.id, (line) => ctx.stdout.write(`${line}\n`), ctx.engine);
    ctx.signal.addEventListener('abort', () => {
      stop();
      resolve();
    });
  });
  return { data: { name: container.name } };
}
