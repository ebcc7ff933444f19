import { cleanup } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { shortId } from '../output/format.js';

/** `ship clean`: every container and dangling image ship created. */
export async function run(ctx: CliContext): Promise<CommandResult> {
  const result = await cleanup({ all: true, images: true, ...ctx.engine });
  const lines = [
    ...result.containers.map((name) => `removed container ${name}`),
    ...result.images.map((id) => `removed image ${shortId(id)}`),
    ...result.skipped.map((s) => ctx.out.yellow(`kept image ${shortId(s.id)}: ${s.reason}`)),
  ];
  return { data: result, text: lines.length === 0 ? 'Nothing to clean.' : lines.join('\n'), quietText: '' };
}
