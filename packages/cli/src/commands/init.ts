import { generateDockerfile } from '@container-ship/sdk/dockerfile';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';

/** `ship init`: the SDK detects the project and writes the files; the CLI says what it found and wrote. */
export async function run(ctx: CliContext, [dir = '.']: string[], flags: Flags<'init'>): Promise<CommandResult> {
  const result = await generateDockerfile({
    dir: ctx.path(dir),
    template: flags.template,
    ...(flags.base ? { base: flags.base } : {}),
    force: flags.force,
    port: flags.port,
    command: flags.cmd,
    healthPath: flags.healthPath,
    // commander's --no-web: `web` is true unless given, and an unset `web` lets the project decide.
    ...(flags.web === false ? { web: false } : {}),
    builder: flags.builder,
  });
  const lines = ['detected:', ...result.detected.map((line) => `  ${line}`)];
  lines.push(...result.files.map((file) => `${ctx.out.green('✔')} wrote ${file.path}`));
  if (result.notes?.length) lines.push(...result.notes.map((note) => `  ${note}`));
  lines.push(`next: ship release ${dir} --image NAME --tag v0.1.0`);
  return { data: result, text: lines.join('\n'), quietText: result.files.map((file) => file.path).join('\n') };
}
