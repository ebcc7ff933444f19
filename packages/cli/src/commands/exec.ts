import { Writable } from 'node:stream';
import { exec } from '@container-ship/sdk';
import type { CliContext, CommandResult, OutputStream } from '../context.js';

function writable(out: OutputStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk.toString('utf8'));
      done();
    },
  });
}

/**
 * `ship exec CONTAINER -- CMD...`: run a command in a container ship started. With a terminal on
 * stdin it is interactive, with a TTY (raw keys, the terminal's size); the exit code is the command's.
 */
export async function run(ctx: CliContext, [container = '', ...command]: string[]): Promise<CommandResult> {
  const stdin = typeof ctx.stdin === 'string' ? undefined : ctx.stdin;
  const terminal = stdin as (NodeJS.ReadStream & { isTTY?: boolean }) | undefined;
  const tty = terminal?.isTTY === true && ctx.stdout.isTTY === true;
  if (tty) terminal?.setRawMode?.(true);
  try {
    const result = await exec({
      container,
      command,
      tty,
      ...(tty && terminal ? { stdin: terminal } : {}),
      stdout: writable(ctx.stdout),
      stderr: writable(ctx.stderr),
      ...(tty ? { size: { rows: process.stdout.rows ?? 24, columns: process.stdout.columns ?? 80 } } : {}),
      ...ctx.engine,
    });
    return { exitCode: result.exitCode, data: result };
  } finally {
    if (tty) {
      terminal?.setRawMode?.(false);
      terminal?.pause();
    }
  }
}
