import { parseImageRef, planTags, pushImage, readGitContext, resolveRegistryAuth, tagImage } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { type TagFlags, tagInputs } from '../inputs.js';
import { formatBytes } from '../output/format.js';
import { renderTable } from '../output/table.js';

/** `registry/team/app:dev` → `registry/team/app` (a port's colon is not a tag's). */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** `ship push`: push IMAGE, and with --tag the planned tags of its repository, in one pushImage call. */
export async function run(ctx: CliContext, [image = '']: string[], flags: TagFlags): Promise<CommandResult> {
  const tagging = tagInputs(flags, {});
  let refs = [image];
  if (tagging.version !== undefined || tagging.rules !== undefined) {
    const plan = planTags({
      images: [repositoryOf(image)],
      ...tagging,
      git: await readGitContext({ cwd: ctx.cwd, env: ctx.env }),
    });
    for (const ref of plan.tags) if (ref !== image) await tagImage(image, ref, ctx.engine);
    refs = [...new Set([image, ...plan.tags])];
  }
  const auth = await resolveRegistryAuth(parseImageRef(image).registry, { env: ctx.env });
  const result = await pushImage({
    image,
    tags: refs,
    ...(auth ? { auth } : {}),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  const rows = [
    ['pushed', result.refs.join('\n')],
    ['digest', result.digest],
    ['uploaded', formatBytes(result.bytesUploaded)],
  ];
  return { data: result, text: renderTable({ rows }), quietText: result.digest };
}
