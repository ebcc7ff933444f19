import { buildImage, planTags } from '@container-ship/sdk';
import { buildSettings, resolveReleaseOptions, tagPlanSettings } from '@container-ship/sdk/config';
import { type BuildReport, buildReport } from '@container-ship/sdk/dockerfile';
import { readGitContext, sourceDateEpoch } from '@container-ship/sdk/tags';
import type { CliContext, CommandResult } from '../context.js';
import { type BuildFlags, buildOverrides, configDirs, configFor, defined, type TagFlags, tagOverrides } from '../inputs.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import { renderTable } from '../output/table.js';

type Flags = BuildFlags & TagFlags & { report?: boolean; scanLayers?: boolean };

/** `ship build`: one buildImage call with the planned tags (or the image names as given). */
export async function run(ctx: CliContext, [context]: string[], flags: Flags): Promise<CommandResult> {
  const contextDir = ctx.path(context ?? '.');
  const config = await configFor(ctx, ...configDirs(contextDir, flags.file));
  const settings = resolveReleaseOptions(
    config,
    {
      ...tagOverrides(flags),
      ...buildOverrides(flags, ctx),
      ...defined('context', context === undefined ? undefined : contextDir),
    },
    { cwd: ctx.cwd },
  );
  const tagging = tagPlanSettings(settings);
  let tags: string[] = settings.image;
  let labels: Record<string, string> = {};
  if (settings.image.length > 0 && (tagging.version !== undefined || tagging.rules !== undefined)) {
    const created = sourceDateEpoch(ctx.env);
    const plan = planTags({
      images: settings.image,
      ...tagging,
      git: await readGitContext({ cwd: settings.context, env: ctx.env }),
      ...(created ? { created } : {}),
    });
    tags = plan.tags;
    labels = plan.labels;
  }
  const result = await buildImage({
    context: settings.context,
    ...buildSettings(settings),
    env: ctx.env,
    tags,
    labels: { ...labels, ...settings.labels },
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  const report =
    flags.report === false
      ? undefined
      : await buildReport(result.imageId, { ...ctx.engine, scanLayers: flags.scanLayers === true, signal: ctx.signal });
  const rows = [
    ['image', shortId(result.imageId)],
    ['tags', result.tags.length > 0 ? result.tags.join('\n') : ctx.out.dim('(none)')],
    ['size', formatBytes(result.size)],
    ['builder', result.builder === 'buildkit' ? 'BuildKit' : 'classic'],
    ['steps', result.cachedSteps > 0 ? `${result.steps} (${result.cachedSteps} cached)` : String(result.steps)],
    ['time', formatDuration(result.durationMs)],
    ...(result.warnings.length > 0 ? [['warnings', result.warnings.join('\n')]] : []),
  ];
  return {
    data: report ? { ...result, report } : result,
    text: [renderTable({ rows }), ...(report ? [reportText(report, ctx)] : [])].join('\n'),
    quietText: result.tags[0] ?? result.imageId,
  };
}

/** The biggest layers with the instruction that made each, and the bytes later layers hide. */
export function reportText(report: BuildReport, ctx: CliContext): string {
  const biggest = renderTable(
    {
      head: ['LAYER SIZE', 'INSTRUCTION'],
      rows: report.biggest.map((layer) => [
        formatBytes(layer.size),
        layer.instruction.length > 90 ? `${layer.instruction.slice(0, 89)}…` : layer.instruction,
      ]),
    },
    { head: ctx.out.bold },
  );
  const wasted =
    report.wastedBytes === undefined
      ? '--scan-layers finds the bytes hidden by later layers'
      : report.wastedBytes === 0
        ? 'no bytes hidden by later layers'
        : `${formatBytes(report.wastedBytes)} hidden by later layers (${(report.wasted ?? [])
            .slice(0, 3)
            .map((file) => `/${file.path} ${formatBytes(file.bytes)}`)
            .join(', ')})`;
  return `${biggest}${report.layers} layers; ${wasted}\n`;
}
