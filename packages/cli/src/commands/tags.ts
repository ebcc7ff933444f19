import { planTags, readGitContext } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { configFor, imagesFrom, type TagFlags, tagInputs } from '../inputs.js';

interface TagsFlags extends TagFlags {
  existingTag?: string[];
}

/** `ship tags`: the tag plan, from a version or from metadata-action rules and the git context. */
export async function run(ctx: CliContext, _args: string[], flags: TagsFlags): Promise<CommandResult> {
  const config = await configFor(ctx, ctx.cwd);
  const git = await readGitContext({ cwd: ctx.cwd, env: ctx.env });
  const plan = planTags({
    images: imagesFrom(flags, config, true),
    ...tagInputs(flags, config),
    git,
    ...(flags.existingTag ? { existingTags: flags.existingTag } : {}),
  });
  for (const skipped of plan.skipped)
    ctx.onProgress({ type: 'info', phase: 'tag', message: `skipped ${skipped.tag}: ${skipped.reason}` });
  if (plan.tags.length === 0)
    ctx.onProgress({ type: 'warning', phase: 'tag', message: 'No tags planned: no rule matched this git context.' });
  const text = plan.tags.join('\n');
  return { data: plan, text, quietText: plan.tags.join('\n') };
}
