import { parseImageRef, planTags, promote, resolveRegistryAuth } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { formatBytes } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { repositoryOf } from './push.js';

interface Flags {
  tag?: string[];
  to?: string;
}

/** `ship promote`: new tags by manifest copy (same digest, no layers moved), optionally into another repository. */
export async function run(ctx: CliContext, [source = '']: string[], flags: Flags): Promise<CommandResult> {
  const destination = flags.to ?? repositoryOf(source);
  const tags = (flags.tag ?? []).flatMap((version) => planTags({ images: [destination], version }).tags);
  const auth = await resolveRegistryAuth(parseImageRef(destination).registry, { env: ctx.env });
  const sourceAuth = await resolveRegistryAuth(parseImageRef(source).registry, { env: ctx.env });
  const result = await promote({
    source,
    tags,
    ...(flags.to ? { destination: flags.to } : {}),
    ...(auth ? { auth } : {}),
    ...(sourceAuth ? { sourceAuth } : {}),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  const rows = [
    ['tagged', result.refs.join('\n')],
    ['digest', result.digest],
    ['uploaded', formatBytes(result.bytesUploaded)],
    ['requests', String(result.requests)],
  ];
  return { data: result, text: renderTable({ rows }), quietText: result.digest };
}
