import { promote } from '@container-ship/sdk/registry';
import type { CliContext, CommandResult } from '../context.js';
import { registryTls } from '../inputs.js';
import { formatBytes } from '../output/format.js';
import { keptRows } from '../output/kept.js';
import { renderTable } from '../output/table.js';
import type { Flags } from '../program.js';

/** `ship promote`: new tags by manifest copy (same digest, no layers moved), optionally into another repository. */
export async function run(ctx: CliContext, [source = '']: string[], flags: Flags<'promote'>): Promise<CommandResult> {
  const result = await promote({
    source,
    tags: [],
    ...(flags.tag ? { version: flags.tag } : {}),
    ...(flags.to ? { destination: flags.to } : {}),
    force: flags.force,
    env: ctx.env,
    ...registryTls(ctx, flags),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  const rows = [
    ['tagged', result.refs.join('\n')],
    ...keptRows(result.skipped),
    ['digest', result.digest],
    ['uploaded', formatBytes(result.bytesUploaded)],
    ['requests', String(result.requests)],
  ];
  return { data: result, text: renderTable({ rows }), quietText: result.digest };
}
