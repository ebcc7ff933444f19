import { InvalidInputError, scale } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';
import { statusText } from './deploy.js';

/** `ship scale SERVICE N`: set the replica count and wait until exactly N run. */
export async function run(ctx: CliContext, [service = '', count = '']: string[], flags: Flags<'scale'>): Promise<CommandResult> {
  if (!/^\d+$/.test(count))
    throw new InvalidInputError(`'${count}' is not a replica count; give a whole number, e.g. ship scale ${service} 3.`);
  const status = await scale({
    service,
    replicas: Number(count),
    timeoutMs: flags.wait,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  return { data: status, text: statusText(status, ctx, ctx.out), quietText: String(status.running) };
}
