import { type DeployResult, deploy, InvalidInputError, ReleaseError, type ReleaseResult, release } from '@container-ship/sdk';
import { type ConfigReleaseDefaults, type ResolvedReleaseOptions, resolveReleaseOptions } from '@container-ship/sdk/config';
import { buildReport } from '@container-ship/sdk/dockerfile';
import { readGitContext } from '@container-ship/sdk/tags';
import type { CliContext, CommandResult } from '../context.js';
import { buildOverrides, configDirs, configFor, NO_IMAGE, registryTls, tagOverrides } from '../inputs.js';
import { errorJson } from '../output/errors.js';
import { formatBytes, formatDuration, shortId } from '../output/format.js';
import type { Style } from '../output/style.js';
import { renderTable } from '../output/table.js';
import type { Flags } from '../program.js';
import { reportText } from './build.js';
import { deployInputs, deployJson, deploySummary } from './deploy.js';
import { smokeVerdict } from './smoke.js';

/** `--registry ghcr.io` (a host) or `--registry ghcr.io/team/app` (an image name). */
export function registryTarget(value: string): { registry: string } | { image: string } {
  return value.includes('/') ? { image: value } : { registry: value };
}

/** The release settings `ship release` would use: ship.yaml (found in the context) under the flags. */
export async function releaseSettings(
  ctx: CliContext,
  [context]: string[],
  flags: Flags<'release'>,
): Promise<{ settings: ResolvedReleaseOptions; config: ConfigReleaseDefaults }> {
  const contextDir = ctx.path(context ?? '.');
  const config = await configFor(ctx, ...configDirs(contextDir, flags.file));
  const settings = resolveReleaseOptions(
    config,
    {
      ...tagOverrides(flags),
      ...buildOverrides(flags, ctx),
      context: context === undefined ? undefined : contextDir,
      registries: flags.registry?.map(registryTarget),
      smoke: {
        enabled: flags.smoke === false ? false : undefined,
        port: flags.port,
        path: flags.path,
        expectStatus: flags.expectStatus,
        expectBody: flags.expectBody,
        timeoutMs: flags.timeout,
        env: flags.env,
      },
      push: flags.push !== false,
    },
    { cwd: ctx.cwd, missingImage: NO_IMAGE },
  );
  return { settings, config };
}

/** `ship release`: one SDK release call (build → smoke → tag → push); exit 1 when the smoke test or a push failed. */
export async function run(ctx: CliContext, args: string[], flags: Flags<'release'>): Promise<CommandResult> {
  const { settings, config } = await releaseSettings(ctx, args, flags);
  let result: ReleaseResult;
  let failure: ReleaseError | undefined;
  try {
    result = await release({
      ...settings,
      git: await readGitContext({ cwd: settings.context, env: ctx.env }),
      env: ctx.env,
      ...registryTls(ctx, flags),
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      ...ctx.engine,
    });
  } catch (error) {
    // A failed smoke test or push still has a result worth showing: what was built, tested, published.
    if (!(error instanceof ReleaseError) || ctx.signal.aborted) throw error;
    failure = error;
    result = error.result;
  }
  const report = flags.report === true && result.imageId ? await buildReport(result.imageId, ctx.engine) : undefined;
  if (flags.deploy && !failure && !result.pushed) {
    throw new InvalidInputError('--deploy needs the image in a registry; drop --no-push.');
  }
  // Only what was pushed and smoke-tested is deployed, by the digest the registry holds.
  const deployed: DeployResult | undefined =
    flags.deploy && !failure && result.digest
      ? await deploy({
          image: `${result.image}@${result.digest}`,
          ...deployInputs({ ...flags, name: flags.deploy, ...(settings.smoke === false ? { health: false } : {}) }, config),
          authEnv: ctx.env,
          signal: ctx.signal,
          onProgress: ctx.onProgress,
          ...ctx.engine,
        })
      : undefined;
  return {
    exitCode: failure ? 1 : 0,
    data: {
      ...releaseJson(result),
      ...(report ? { report } : {}),
      ...(deployed ? { deploy: deployJson(deployed) } : {}),
      ...(failure ? errorJson(failure) : {}),
    },
    text: [
      releaseSummary(result, ctx.out),
      ...(report ? [reportText(report, ctx)] : []),
      ...(deployed ? [deploySummary(deployed, ctx)] : []),
    ].join('\n'),
    quietText: result.digest ?? result.imageId,
    ...(failure ? { failure } : {}),
  };
}

/** The --json object: the fields scripts rely on first, then the details. */
export function releaseJson(result: ReleaseResult) {
  return {
    image: result.image,
    version: result.version,
    tags: result.tags,
    failedTags: result.failedTags,
    digest: result.digest ?? null,
    size: result.size,
    imageId: result.imageId,
    smoke: result.smoke
      ? {
          status: result.smoke.status,
          url: result.smoke.url,
          durationMs: result.smoke.durationMs,
          ...(result.smoke.httpStatus === undefined ? {} : { httpStatus: result.smoke.httpStatus }),
          ...(result.smoke.reason === undefined ? {} : { reason: result.smoke.reason }),
        }
      : null,
    pushed: result.pushed,
    alreadyPublished: result.alreadyPublished,
    publish: result.publish,
    durations: result.durations,
    skipped: result.plan.skipped,
  };
}

export function releaseSummary(result: ReleaseResult, style: Style): string {
  const smoke = result.smoke;
  const rows: string[][] = [
    ['image', result.image],
    ['version', result.version || style.dim('(none)')],
    ['tags', result.tags.length > 0 ? result.tags.join('\n') : style.dim('(none published)')],
    ...(result.failedTags.length > 0 ? [['failed', style.red(result.failedTags.join('\n'))]] : []),
    ['image id', shortId(result.imageId)],
    ['size', formatBytes(result.size)],
    [
      'smoke',
      smoke
        ? `${smoke.status === 'passed' ? style.green('passed') : style.red('failed')}  ${smoke.url} (${formatDuration(smoke.durationMs)})`
        : style.dim('skipped'),
    ],
    [
      'pushed',
      result.alreadyPublished
        ? style.green('already published (nothing uploaded)')
        : result.pushed
          ? style.green('yes')
          : style.yellow('no'),
    ],
    ...(result.digest ? [['digest', result.digest]] : []),
    [
      'time',
      (['build', 'smoke', 'push'] as const)
        .filter((phase) => (phase === 'smoke' ? result.smoke !== undefined : phase === 'push' ? result.publish.length > 0 : true))
        .map((phase) => `${phase} ${formatDuration(result.durations[phase])}`)
        .join(' · '),
    ],
  ];
  const parts = [renderTable({ rows })];
  if (result.publish.length > 1 || result.publish.some((p) => !p.ok)) {
    parts.push(
      renderTable(
        {
          head: ['REPOSITORY', 'TAGS', 'RESULT'],
          rows: result.publish.map((p) => [
            p.registry,
            [...p.refs, ...(p.failedRefs ?? []).map((ref) => style.red(`${ref} (failed)`))].join('\n'),
            p.ok ? style.green('ok') : style.red(p.error ?? 'failed'),
          ]),
        },
        { head: style.bold },
      ),
    );
  }
  // The container's logs were already streamed as progress; the reason is what is left to say.
  if (smoke?.status === 'failed') parts.push(`${smokeVerdict(smoke, style, { glyph: false })}\n`);
  return parts.join('\n');
}
