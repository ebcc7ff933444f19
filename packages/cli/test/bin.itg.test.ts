import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listShipContainers, removeImage } from '@container-ship/sdk';
import { listTags } from '@container-ship/sdk/registry';
import { loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { authRegistryDigest, cacheMountStep, writeCacheMountApp } from '@container-ship/test-utils/cache-mount-app';
import { sshKeyCountDockerfile } from '@container-ship/test-utils/ssh-probe';
import { beforeAll, describe, expect, test } from 'vitest';
import { tarNames } from './tar.js';

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

  test('ship build -o - writes the tar to stdout (a pipe) and its summary to stderr', async () => {
    const context = await mkdtemp(join(tmpdir(), 'i11c-bin-output-'));
    try {
      await mkdir(join(context, 'site'));
      await writeFile(join(context, 'site', 'index.html'), '<h1>i11c</h1>\n');
      await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY site/ /www/\n');
      const child = spawn(process.execPath, [bin, 'build', context, '-o', '-'], { env: { ...process.env, CI: 'true' } });
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toMatchObject({ code: 0 });
      const tar = Buffer.concat(chunks);
      console.info(`ship build -o -: ${tar.length} bytes of tar on stdout`);
      expect(tarNames(tar)).toEqual(expect.arrayContaining(['www/', 'www/index.html']));
      expect(stderr).toMatch(/output +tar on standard output/);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
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

describe('ship release of a Dockerfile with a pip cache mount', () => {
  test('releases to the htpasswd registry; a second release after an edit re-runs the step with the same cache', async () => {
    const { host, username, password } = loadTestbed().registries.auth;
    const repository = `${uniqueName('i11b-cache-mount')}/app`;
    const image = `${host}/${repository}`;
    const marker = uniqueName('i11b-runs');
    const dir = await mkdtemp(join(tmpdir(), 'i11b-cache-mount-'));
    // As a CI job logs in: a Docker config in the environment, never a flag.
    const env = {
      DOCKER_AUTH_CONFIG: JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
      }),
    };
    const release = async (tag: string) => {
      const run = start(['release', dir, '--image', image, '--tag', tag, '--json'], env);
      const code = await run.exit;
      const { stdout, stderr } = run.output();
      expect(code, stderr).toBe(0);
      expect(stderr).not.toContain(password);
      return { result: JSON.parse(stdout), progress: stderr };
    };
    try {
      await writeCacheMountApp(dir, { marker, requirements: ['Flask==2.2.2'] });
      const first = await release('v1.0.0');
      expect(first.progress).toContain('Builder: BuildKit');
      expect(first.progress).toMatch(cacheMountStep);
      expect(first.progress).toContain('Successfully installed Flask-2.2.2');
      expect(first.progress).toContain('cache mount runs: 1');
      expect(first.result).toMatchObject({ version: '1.0.0', pushed: true, smoke: { status: 'passed' } });
      expect(first.result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await authRegistryDigest(repository, '1.0.0')).toBe(first.result.digest);
      expect(await authRegistryDigest(repository, 'latest')).toBe(first.result.digest);

      // An edit the pip step depends on: it runs again and finds the first run's file in the cache.
      await writeCacheMountApp(dir, { marker, requirements: ['Flask==2.2.2', 'gunicorn==20.1.0'] });
      const second = await release('v1.0.1');
      expect(second.progress).toMatch(cacheMountStep);
      expect(second.progress).toMatch(/Successfully installed .*gunicorn-20\.1\.0/);
      expect(second.progress).toContain('cache mount runs: 2');
      expect(second.result.digest).not.toBe(first.result.digest);
      expect(await authRegistryDigest(repository, '1.0.1')).toBe(second.result.digest);
      expect(await authRegistryDigest(repository, 'latest')).toBe(second.result.digest);
      expect(await authRegistryDigest(repository, '1.0.0')).toBe(first.result.digest);
      expect((await listTags(image, { auth: { username, password } })).sort()).toEqual(['1', '1.0', '1.0.0', '1.0.1', 'latest']);

      // The cache stayed a cache: the pushed image has no trace of it.
      const inImage = execFileSync(
        'docker',
        [
          'run',
          '--rm',
          '--name',
          uniqueName('i11b-inspect'),
          `${image}:1.0.1`,
          'sh',
          '-c',
          'ls -A /root/.cache/pip 2>/dev/null | wc -l',
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(inImage.trim()).toBe('0');
    } finally {
      for (const tag of ['1.0.0', '1.0.1']) await removeImage(`${image}:${tag}`, { force: true }).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('ssh key files', () => {
  test('build.ssh in ship.yaml names a key file next to it; --ssh with a passphrase-protected key exits 2 in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i11b-ssh-cli-'));
    const image = `${uniqueName('i11b-ssh-cli')}:1`;
    try {
      const comment = uniqueName('i11b-cli-key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'deploy_key')]);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'i11b-passphrase', '-f', join(dir, 'locked_key')]);
      await writeFile(join(dir, 'Dockerfile'), sshKeyCountDockerfile(image));
      await writeFile(join(dir, 'ship.yaml'), 'build:\n  ssh: [default=deploy_key]\n');

      const build = start(['build', dir, '--image', image, '--no-cache', '--no-report'], { SSH_AUTH_SOCK: '' });
      expect(await build.exit, build.output().stderr).toBe(0);
      expect(build.output().stderr).toContain('agent keys: 1');

      const locked = start(['build', dir, '--image', image, '--ssh', `default=${join(dir, 'locked_key')}`]);
      expect(await locked.exit).toBe(2);
      expect(locked.output().stderr).toBe(
        `✖ The SSH key '${join(dir, 'locked_key')}' for 'default' is protected by a passphrase; load it into an agent (ssh-add ${join(dir, 'locked_key')}) and pass --ssh default or default=SOCKET instead.\n`,
      );
    } finally {
      await removeImage(image, { force: true }).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
