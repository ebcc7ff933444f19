import { type SmokeResult, smokeTest } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { configFor } from '../inputs.js';
import { formatDuration } from '../output/format.js';
import type { Style } from '../output/style.js';
import type { Flags } from '../program.js';

const LOG_LINES = 10;

/** `ship smoke`: start the image, wait for an HTTP answer, judge it; exit 1 when it fails. */
export async function run(ctx: CliContext, [image = '']: string[], flags: Flags<'smoke'>): Promise<CommandResult> {
  const config = await configFor(ctx, ctx.cwd);
  const fromConfig = config.smoke === false ? {} : (config.smoke ?? {});
  const env = { ...fromConfig.env, ...flags.env };
  const result = await smokeTest({
    image,
    port: flags.port ?? fromConfig.port,
    path: flags.path ?? fromConfig.path,
    expectStatus: flags.expectStatus ?? fromConfig.expectStatus,
    expectBody: flags.expectBody ?? fromConfig.expectBody,
    timeoutMs: flags.timeout ?? fromConfig.timeoutMs,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  return {
    exitCode: result.status === 'passed' ? 0 : 1,
    data: result,
    // On success the progress already said so; on failure the reason and the logs are the result.
    text: result.status === 'passed' ? '' : smokeVerdict(result, ctx.out, { logLines: LOG_LINES }),
    quietText: result.status,
  };
}

/**
 * The verdict and the time; on failure the reason, the URL and (with `logLines`) the
 * container's last log lines. `glyph: false` where an error line follows (release).
 */
export function smokeVerdict(result: SmokeResult, style: Style, o: { logLines?: number; glyph?: boolean } = {}): string {
  const status = result.httpStatus === undefined ? '' : ` → HTTP ${result.httpStatus}`;
  if (result.status === 'passed')
    return style.green(`✔ smoke test passed: ${result.url}${status} in ${formatDuration(result.durationMs)}`);
  const glyph = o.glyph === false ? '' : '✖ ';
  const lines = [
    style.red(`${glyph}smoke test failed after ${formatDuration(result.durationMs)}: ${result.reason ?? 'no reason given'}`),
  ];
  if (result.url) lines.push(`  url: ${result.url}${status}`);
  const logs = (result.logs ?? '')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .slice(-(o.logLines ?? 0));
  if (o.logLines && logs.length > 0) lines.push('  last log lines:', ...logs.map((line) => style.dim(`  │ ${line}`)));
  return lines.join('\n');
}
