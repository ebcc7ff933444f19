import { generateDockerfile } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

interface Flags {
  template: 'python';
  base?: string;
  force?: boolean;
}

/** `ship init`: the SDK writes the Dockerfile, .dockerignore and ship.yaml; the CLI says what it wrote. */
export async function run(ctx: CliContext, [dir = '.']: string[], flags: Flags): Promise<CommandResult> {
  const result = await generateDockerfile({
    dir: ctx.path(dir),
    template: flags.template,
    ...(flags.base ? { base: flags.base } : {}),
    ...(flags.force ? { force: true } : {}),
  });
  const lines = result.files.map((file) => `${ctx.out.green('✔')} wrote ${file.path}`);
  if (result.notes?.length) lines.push(...result.notes.map((note) => `  ${note}`));
  lines.push(`next: ship release ${dir} --image NAME --tag v0.1.0`);
  return { data: result, text: lines.join('\n'), quietText: result.files.map((file) => file.path).join('\n') };
}
