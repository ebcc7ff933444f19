import { buildImage, planTags, readGitContext } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { type BuildFlags, buildInputs, configFor, imagesFrom, type TagFlags, tagInputs } from '../inputs.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import { renderTable } from '../output/table.js';

type Flags = BuildFlags & TagFlags;

/** `ship build`: one buildImage call with the planned tags (or the image names as given). */
export async function run(ctx: CliContext, [context = '.']: string[], flags: Flags): Promise<CommandResult> {
  const contextDir = ctx.path(context);
  const config = await configFor(ctx, contextDir);
  const images = imagesFrom(flags, config, false);
  const tagging = tagInputs(flags, config);
  let tags: string[] = images ?? [];
  let labels: Record<string, string> = {};
  if (images && (tagging.version !== undefined || tagging.rules !== undefined)) {
    const plan = planTags({ images, ...tagging, git: await readGitContext({ cwd: contextDir, env: ctx.env }) });
    tags = plan.tags;
    labels = plan.labels;
  }
  const inputs = buildInputs(flags, config);
  const result = await buildImage({
    context: config.context ?? contextDir,
    ...inputs,
    tags,
    labels: { ...labels, ...inputs.labels },
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  const rows = [
    ['image', shortId(result.imageId)],
    ['tags', result.tags.length > 0 ? result.tags.join('\n') : ctx.out.dim('(none)')],
    ['size', formatBytes(result.size)],
    ['steps', String(result.steps)],
    ['time', formatDuration(result.durationMs)],
    ...(result.warnings.length > 0 ? [['warnings', result.warnings.join('\n')]] : []),
  ];
  return {
    data: result,
    text: renderTable({ rows }),
    quietText: result.tags[0] ?? result.imageId,
  };
}
