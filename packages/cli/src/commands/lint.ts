import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatLintJson, formatLintText, lintDockerfile, lintExitCode, toSarif } from '@container-ship/sdk/dockerfile';
import type { CliContext, CommandResult } from '../context.js';
import { configFor } from '../inputs.js';
import type { Flags } from '../program.js';

/** The smoke test's own default, which `--port`'s help promises. */
const DEFAULT_SMOKE_PORT = 5000;

/** `ship lint`: findings as text, JSON or SARIF; exit 1 while any warning or error remains. */
export async function run(ctx: CliContext, [given = 'Dockerfile']: string[], flags: Flags<'lint'>): Promise<CommandResult> {
  // A directory (`ship lint .`, `ship lint examples/app`) means the Dockerfile in it, as `ship build DIR` does.
  const isDirectory = await stat(ctx.path(given)).then(
    (info) => info.isDirectory(),
    () => false,
  );
  const dockerfile = isDirectory ? join(given, 'Dockerfile') : given;
  const path = ctx.path(dockerfile);
  const config = await configFor(ctx, dirname(path));
  const smokePort = flags.port ?? (config.smoke === false ? undefined : (config.smoke?.port ?? DEFAULT_SMOKE_PORT));
  const target = flags.target ?? config.target;
  const ignore = [...(config.lintIgnore ?? []), ...(flags.ignore ?? [])];
  const result = await lintDockerfile({
    dockerfile: path,
    smokePort,
    ignore,
    builder: flags.builder,
    ...(target ? { target } : {}),
  });
  const shown = { ...result, file: dockerfile };
  const format = ctx.globals.json && flags.format === 'text' ? 'json' : flags.format;
  const exitCode = lintExitCode([shown]);
  if (format === 'sarif') return { exitCode, data: toSarif([shown]), text: JSON.stringify(toSarif([shown]), null, 2) };
  if (format === 'json') return { exitCode, data: JSON.parse(formatLintJson([shown])), text: formatLintJson([shown]) };
  return { exitCode, data: JSON.parse(formatLintJson([shown])), text: formatLintText([shown]), quietText: '' };
}
