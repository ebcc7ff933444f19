import { followLogs, InvalidInputError, listShipContainers, readContainerLogs } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';

/** `ship logs`: the output of a container ship started; `--follow` streams until it stops or Ctrl-C. */
export async function run(ctx: CliContext, [name = '']: string[], flags: Flags<'logs'>): Promise<CommandResult> {
  const container = (await listShipContainers(ctx.engine)).find((c) => c.name === name || c.id.startsWith(name));
  if (!container) throw new InvalidInputError(`No container named '${name}' was started by ship; see ship ps for the names.`);
  const options = {
    ...ctx.engine,
    container: container.id,
    signal: ctx.signal,
    tail: flags.tail,
  };
  if (!flags.follow) {
    const logs = await readContainerLogs(options);
    return { data: { container: container.name, logs }, text: logs.replace(/\n$/, ''), quietText: logs.replace(/\n$/, '') };
  }
  // Lines go out as they come; in --json mode they stay off stdout so it holds one object.
  const lines = ctx.globals.json ? ctx.stderr : ctx.stdout;
  const { exitCode } = await followLogs({ ...options, onLine: (line) => lines.write(`${line}\n`) });
  return { data: { container: container.name, exitCode } };
}
