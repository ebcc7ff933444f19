import { planTags } from '@container-ship/sdk';
import { resolveReleaseOptions, tagPlanSettings } from '@container-ship/sdk/config';
import { listTags } from '@container-ship/sdk/registry';
import { readGitContext, sourceDateEpoch } from '@container-ship/sdk/tags';
import type { CliContext, CommandResult } from '../context.js';
import { configFor, NO_IMAGE, registryTls, tagOverrides } from '../inputs.js';
import type { Flags } from '../program.js';

/** How long `ship tags` waits for a registry before planning without its tags. */
const REGISTRY_TIMEOUT_MS = 10_000;

/**
 * `ship tags`: the tag plan, from a version or from metadata-action rules and the git context.
 * It reads each repository's tags when the registry answers, so floating tags are planned as a
 * release would plan them (never backwards); `--offline` reads no registry.
 */
export async function run(ctx: CliContext, _args: string[], flags: Flags<'tags'>): Promise<CommandResult> {
  const config = await configFor(ctx, ctx.cwd);
  const settings = resolveReleaseOptions(config, tagOverrides(flags), { cwd: ctx.cwd, missingImage: NO_IMAGE });
  const git = await readGitContext({ cwd: ctx.cwd, env: ctx.env });
  // SOURCE_DATE_EPOCH fixes the clock: {{date}} and the created label, so a plan can be replayed.
  const epoch = sourceDateEpoch(ctx.env);
  const images = settings.image;
  const inRegistry = flags.offline ? [] : await registryTags(ctx, images, registryTls(ctx, flags));
  const existingTags = [...(flags.existingTag ?? []), ...inRegistry];
  const plan = planTags({
    images,
    ...tagPlanSettings(settings),
    git,
    ...(existingTags.length > 0 ? { existingTags } : {}),
    ...(epoch ? { now: epoch, created: epoch } : {}),
  });
  for (const skipped of plan.skipped)
    ctx.onProgress({ type: 'info', phase: 'tag', message: `skipped ${skipped.tag}: ${skipped.reason}` });
  if (plan.tags.length === 0)
    ctx.onProgress({ type: 'warning', phase: 'tag', message: 'No tags planned: no rule matched this git context.' });
  const text = plan.tags.join('\n');
  return { data: plan, text, quietText: plan.tags.join('\n') };
}

/** `image:tag` for every tag the images' registries have; a registry that does not answer is skipped with a warning. */
async function registryTags(ctx: CliContext, images: string[], tls: ReturnType<typeof registryTls>): Promise<string[]> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(REGISTRY_TIMEOUT_MS)]);
  const lists = await Promise.all(
    images.map(async (image) => {
      try {
        const tags = await listTags(image, { env: ctx.env, ...tls, signal, retry: { attempts: 1 } });
        return tags.map((tag) => `${image}:${tag}`);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
        ctx.onProgress({
          type: 'warning',
          phase: 'tag',
          message: `Could not read the tags of ${image} (${reason}); planned without them. Pass --offline to skip the registry.`,
        });
        return [];
      }
    }),
  );
  return lists.flat();
}
