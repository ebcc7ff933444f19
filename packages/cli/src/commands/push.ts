import { parseImageRef, pushImage, type SkippedTag, tagImage } from '@container-ship/sdk';
import { tagPlanSettings } from '@container-ship/sdk/config';
import { planTagsInRepository, resolveRegistryAuth } from '@container-ship/sdk/registry';
import { readGitContext } from '@container-ship/sdk/tags';
import type { CliContext, CommandResult } from '../context.js';
import { registryTls, tagOverrides } from '../inputs.js';
import { formatBytes } from '../output/format.js';
import { keptRows } from '../output/kept.js';
import { renderTable } from '../output/table.js';
import type { Flags } from '../program.js';

/** `registry/team/app:dev` → `registry/team/app` (a port's colon is not a tag's). */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * `ship push`: push IMAGE, and with --tag the planned tags of its repository, in one pushImage
 * call; floating tags never move backwards past a newer release there unless --force.
 */
export async function run(ctx: CliContext, [image = '']: string[], flags: Flags<'push'>): Promise<CommandResult> {
  const tagging = tagPlanSettings(tagOverrides(flags));
  const auth = await resolveRegistryAuth(parseImageRef(image).registry, { env: ctx.env });
  let refs = [image];
  let skipped: SkippedTag[] = [];
  if (tagging.version !== undefined || tagging.rules !== undefined) {
    const plan = await planTagsInRepository(
      {
        repository: repositoryOf(image),
        ...tagging,
        git: await readGitContext({ cwd: ctx.cwd, env: ctx.env }),
        force: flags.force,
      },
      { auth, ...registryTls(ctx, flags), signal: ctx.signal },
    );
    skipped = plan.skipped;
    for (const skip of skipped) ctx.onProgress({ type: 'info', phase: 'tag', message: `Not moving ${skip.tag}: ${skip.reason}` });
    for (const ref of plan.tags) if (ref !== image) await tagImage(image, ref, ctx.engine);
    refs = [...new Set([image, ...plan.tags])];
  }
  const result = await pushImage({
    image,
    tags: refs,
    auth,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  const rows = [
    ['pushed', result.refs.join('\n')],
    ...keptRows(skipped),
    ['digest', result.digest],
    ['uploaded', formatBytes(result.bytesUploaded)],
  ];
  return { data: { ...result, skipped }, text: renderTable({ rows }), quietText: result.digest };
}
