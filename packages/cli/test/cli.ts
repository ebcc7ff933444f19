import { runCli } from '../src/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Drives `ship` in-process: argv in, exit code and captured output out. */
export async function ship(
  argv: string[],
  o: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; stdin?: string; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: o.tty ?? false, columns: 100 },
    stderr: { write: (text: string) => (stderr += text), isTTY: o.tty ?? false, columns: 100 },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...o.env },
    ...(o.cwd ? { cwd: o.cwd } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.stdin === undefined ? {} : { stdin: o.stdin }),
  });
  return { code, stdout, stderr };
}

/** The `✖` lines of an output: a failure must print exactly one. */
export function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('✖'));
}
