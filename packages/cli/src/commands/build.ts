import { Writable } from 'node:stream';
import {
  type BuildOutput,
  type BuildOutputResult,
  buildImage,
  InvalidInputError,
  parseOutputSpec,
  planTags,
} from '@container-ship/sdk';
import { buildSettings, resolveReleaseOptions, tagPlanSettings } from '@container-ship/sdk/config';
import { type BuildReport, buildReport } from '@container-ship/sdk/dockerfile';
import { readGitContext, sourceDateEpoch } from '@container-ship/sdk/tags';
import type { CliContext, CommandResult } from '../context.js';
import { buildOverrides, configDirs, configFor, tagOverrides } from '../inputs.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import { renderTable } from '../output/table.js';
import type { Flags } from '../program.js';

/** `ship build`: one buildImage call with the planned tags (or the image names as given). */
export async function run(ctx: CliContext, [context]: string[], flags: Flags<'build'>): Promise<CommandResult> {
  const contextDir = ctx.path(context ?? '.');
  const config = await configFor(ctx, ...configDirs(contextDir, flags.file));
  const settings = resolveReleaseOptions(
    config,
    {
      ...tagOverrides(flags),
      ...buildOverrides(flags, ctx),
      context: context === undefined ? undefined : contextDir,
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
  const common = {
    context: settings.context,
    ...buildSettings(settings),
    env: ctx.env,
    labels: { ...labels, ...settings.labels },
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  };
  if (flags.output !== undefined) return exported(ctx, await buildImage({ ...common, output: outputFor(ctx, flags.output) }));
  const result = await buildImage({ ...common, tags });
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

/** `--output`: a path relative to the current directory, or `-` for a tar on stdout (never a terminal, as docker refuses). */
function outputFor(ctx: CliContext, spec: string): BuildOutput {
  const output = parseOutputSpec(spec);
  if (output.dest !== '-') return { ...output, dest: ctx.path(output.dest) };
  if (ctx.stdout.isTTY) {
    throw new InvalidInputError(
      'Not writing a tar to the terminal; redirect standard output (ship build -o - > out.tar) or write a file with --output type=tar,dest=FILE.',
    );
  }
  const stdout = ctx.stdout;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stdout.write(chunk);
      done();
    },
  });
  return { type: 'tar', stream };
}

/** No image and no report: the table says where the files went (on stderr when they went to stdout). */
function exported(ctx: CliContext, result: BuildOutputResult): CommandResult {
  const { output } = result;
  const toStdout = output.dest === '-';
  const style = toStdout ? ctx.err : ctx.out;
  const rows = [
    ['output', `${output.type === 'tar' ? 'tar' : 'directory'} ${toStdout ? 'on standard output' : output.dest}`],
    ['size', `${formatBytes(output.bytes)}${output.entries === undefined ? '' : ` in ${output.entries} entries`}`],
    ['image', style.dim('(none: --output exports files, not an image)')],
    ['builder', 'BuildKit'],
    ['steps', result.cachedSteps > 0 ? `${result.steps} (${result.cachedSteps} cached)` : String(result.steps)],
    ['time', formatDuration(result.durationMs)],
    ...(result.warnings.length > 0 ? [['warnings', result.warnings.join('\n')]] : []),
  ];
  return { data: result, text: renderTable({ rows }), quietText: output.dest, stdoutTaken: toStdout };
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
