import { removeShipImage } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

/** `ship rmi IMAGE...`: remove images ship built; refused while a container uses one, like docker rmi. */
export async function run(ctx: CliContext, images: string[]): Promise<CommandResult> {
  const removed: string[] = [];
  for (const image of images) removed.push((await removeShipImage({ image, ...ctx.engine })).image);
  return {
    data: { removed },
    text: removed.map((image) => `${ctx.out.green('✔')} removed ${image}`).join('\n'),
    quietText: removed.join('\n'),
  };
}
