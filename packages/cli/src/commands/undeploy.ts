import { undeploy } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

/** `ship undeploy SERVICE`: remove a service ship deployed, and the network ship made for it. */
export async function run(ctx: CliContext, [service = '']: string[]): Promise<CommandResult> {
  const result = await undeploy({ service, signal: ctx.signal, ...ctx.engine });
  const text = result.removed
    ? [
        `${ctx.out.green('✔')} removed service ${service}`,
        ...result.networks.map((n) => `${ctx.out.green('✔')} removed network ${n}`),
      ].join('\n')
    : `There is no service '${service}'; nothing to remove.`;
  return { data: { service, ...result }, text, quietText: result.removed ? service : '' };
}
