import { spawn } from 'node:child_process';
import { AbortedError, ShipError } from '../errors.js';

/**
 * The one module that spawns processes (git, docker-credential-* helpers). Secrets go
 * through `input` (stdin), never through arguments, which other users can read in `ps`.
 */
export interface RunProcessOptions {
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  input?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ProcessRunner = (command: string, args: readonly string[], options?: RunProcessOptions) => Promise<ProcessResult>;

/** Runs a command to completion. Rejects only when it cannot start (ENOENT) or is aborted. */
export const runProcess: ProcessRunner = (command, args, options = {}) =>
  new Promise<ProcessResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AbortedError(undefined, { cause: options.signal.reason }));
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new AbortedError(undefined, { cause: error }));
      else if (error.code === 'ENOENT')
        reject(
          new ShipError('MISSING_DEPENDENCY', `The command '${command}' was not found; install it or fix PATH.`, {
            cause: error,
          }),
        );
      else reject(new ShipError('INTERNAL', `Could not run '${command}': ${error.message}.`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      // The child may exit before reading stdin; its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
  });
