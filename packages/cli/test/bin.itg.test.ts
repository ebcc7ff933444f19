import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listShipContainers } from '@container-ship/sdk';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadTestbed, repoRoot, uniqueName } from '../../sdk/src/testing/testbed.js';

/** The built bundle, through the real bin, as a user runs it. */
const bin = fileURLToPath(new URL('../bin/ship.js', import.meta.url));

function start(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exit };
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(() => {
  // Build the bundle the bin imports, so this file never tests a stale dist.
  execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))], { stdio: 'inherit' });
});

describe('the built bin', () => {
  test('--version and an unknown command', async () => {
    const version = start(['--version']);
    expect(await version.exit).toBe(0);
    expect(version.output().stdout).toBe('0.0.0\n');

    const typo = start(['relase']);
    expect(await typo.exit).toBe(2);
    expect(typo.output().stderr).toBe("✖ unknown command 'relase'; did you mean release?\n");
  });

  test('ship tags --json prints exactly one JSON object on stdout', async () => {
    const run = start(['tags', '--image', 'app', '--tag', 'v1.1', '--json']);
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.output().stdout).tags).toEqual(['app:1.1', 'app:1', 'app:latest']);
  });

  test('SIGINT during ship run removes the container and exits 130', async () => {
    const name = uniqueName('cli-itg-sigint');
    const image = loadTestbed().baseImage;
    const run = start(['run', image, '-p', '5000', '--name', name, '--', 'python3', '-m', 'http.server', '5000']);
    await until(() => run.output().stderr.includes(`${name} running`), 'the container to start');
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(true);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.output().stderr).toMatch(/Stopped by SIGINT/);
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(false);
  });

  test('SIGTERM exits 143 after the same cleanup', async () => {
    const name = uniqueName('cli-itg-sigterm');
    const run = start([
      'run',
      loadTestbed().baseImage,
      '-p',
      '5000',
      '--name',
      name,
      '--',
      'python3',
      '-m',
      'http.server',
      '5000',
    ]);
    await until(() => run.output().stderr.includes(`${name} running`), 'the container to start');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(143);
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(false);
  });
});
