import { serviceStatus } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { statusText } from './deploy.js';

/** `ship status SERVICE`: desired vs running replicas, the digest each task runs, recent task errors. */
export async function run(ctx: CliContext, [service = '']: string[]): Promise<CommandResult> {
  const status = await serviceStatus({ service, ...ctx.engine });
  return { data: status, text: statusText(status, ctx, ctx.out), quietText: `${status.running}/${status.desired}` };
}
