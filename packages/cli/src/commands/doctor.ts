import { type EngineReport, inspectEngine } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';

/** The lines `ship doctor` prints, and `--debug` on any command prints to stderr. */
export function engineLines(report: EngineReport): string[] {
  return [
    `engine    ${report.product} ${report.version} (API ${report.apiVersion}, ${report.os}/${report.arch})`,
    `address   ${report.address}`,
    `rule      ${report.rule ?? 'none matched; the default socket'} (${report.detail})`,
    `builders  ${report.builders.join(', ')}`,
    ...(report.tried.length ? [`tried     ${report.tried.join(', ')}`] : []),
  ];
}

/** `ship doctor`: which engine discovery found, by which rule, and what it offers. */
export async function run(ctx: CliContext): Promise<CommandResult> {
  const engine = await inspectEngine(ctx.engine);
  return { data: { engine }, text: engineLines(engine).join('\n'), quietText: engine.address };
}
