import { spawn } from 'node:child_process';

/**
 * Runs a tool the helpers need (openssl, htpasswd) to completion and returns its stdout, or
 * rejects with its stderr. Secrets go in on stdin, never as arguments.
 */
export function runTool(command: string, args: readonly string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`Could not run ${command}: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(`${command} ${args[0]} failed (exit ${code}): ${Buffer.concat(stderr).toString('utf8').trim()}`));
    });
    // The tool may exit before reading stdin; its exit code tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
