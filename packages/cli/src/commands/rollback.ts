import { rollback } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';
import { statusText } from './deploy.js';

/** `ship rollback SERVICE`: back to the previous version, one replica at a time. */
export async function run(ctx: CliContext, [service = '']: string[], flags: Flags<'rollback'>): Promise<CommandResult> {
  const status = await rollback({
    service,
    timeoutMs: flags.wait,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  return { data: status, text: statusText(status, ctx, ctx.out), quietText: status.digest ?? status.image };
}
