import { AbortedError, runContainer } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import type { Flags } from '../program.js';

/** `-p 5000:8080` means container 5000 on host 8080; the SDK takes Docker's `8080:5000` order. */
export function toPortSpec(mapping: string): string | number {
  const [container, host] = mapping.split(':');
  return host === undefined ? Number(container) : `${host}:${container}`;
}

/**
 * `ship run`: foreground streams the logs until the container exits or Ctrl-C, and always
 * removes the container; `--detach` leaves it running for `ship logs` / `ship stop`.
 */
export async function run(ctx: CliContext, [image = '', ...command]: string[], flags: Flags<'run'>): Promise<CommandResult> {
  const container = await runContainer({
    image,
    ports: (flags.publish ?? []).map(toPortSpec),
    env: flags.env,
    ...(flags.name ? { name: flags.name } : {}),
    // No words after the image: no command is sent, so the image's own CMD runs.
    ...(command.length > 0 ? { command } : {}),
    purpose: 'run',
    ...(flags.detach ? { detached: true } : { signal: ctx.signal }),
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  const urls = container.ports.map((binding) => `${binding.containerPort} → ${container.urlFor(binding.containerPort)}`);
  const data = {
    id: container.id,
    name: container.name,
    image: container.image,
    urls: container.ports.map((b) => container.urlFor(b.containerPort)),
  };
  if (flags.detach) {
    const text = [
      `started ${container.name}`,
      ...urls.map((url) => `  ${url}`),
      `stop it with: ship stop ${container.name}`,
    ].join('\n');
    return { data, text, quietText: container.name };
  }

  ctx.onProgress({
    type: 'info',
    phase: 'run',
    message: `${container.name} running${urls.length > 0 ? `: ${urls.join(', ')}` : ''}; Ctrl-C stops and removes it`,
  });
  const stopStreaming = ctx.globals.json ? () => {} : container.streamLogs((line) => ctx.stdout.write(`${line}\n`));
  try {
    const { exitCode } = await container.wait({ signal: ctx.signal });
    return {
      exitCode: exitCode === 0 ? 0 : 1,
      data: { ...data, exitCode },
      ...(exitCode === 0 ? {} : { text: ctx.out.red(`✖ ${container.name} exited with code ${exitCode}.`) }),
    };
  } catch (error) {
    if (ctx.signal.aborted) throw new AbortedError(undefined, { cause: error });
    throw error;
  } finally {
    stopStreaming();
    await container.remove();
  }
}
