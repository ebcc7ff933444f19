import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir, loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { newRunId } from '../cleanup/labels.js';
import { listShipContainers } from '../cleanup/list.js';
import { cleanup } from '../cleanup/sweep.js';
import { EngineUnavailableError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import { release } from '../release/release.js';
import { runContainer } from '../run/run-container.js';
import { resolveEngineConnection } from './discovery/discover.js';
import { inspectImage, removeImage } from './images.js';
import { inspectEngine } from './info.js';

/**
 * DOCKER_HOST=ssh://root@127.0.0.1:PORT for real: the test starts Debian's sshd on a free
 * loopback port with a host key and a user key made here, loads the user key into an ssh-agent
 * of its own, and writes a known_hosts that trusts only that host key. The engine behind the
 * ssh login is the test bed's (`docker system dial-stdio` on the "remote" host).
 */
const SSHD = '/usr/sbin/sshd';
const testbed = loadTestbed();
const plain = testbed.registries.plain.host;
const runId = newRunId();
const started: ChildProcess[] = [];
const images: string[] = [];
let dir: string;
let home: string;
let port: number;
let hostKeyLine: string;

async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await runProcess(command, args, { env });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/** Starts a foreground daemon and waits until `ready()` holds; it is stopped in afterAll. */
async function startDaemon(command: string, args: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${stderr}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${command} did not get ready: ${stderr}`);
}

const OTHER_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIG90aGVyLWhvc3Qta2V5LWZvci10ZXN0cw==';
const connection = () => resolveEngineConnection({ DOCKER_HOST: `ssh://root@127.0.0.1:${port}` });

beforeAll(async () => {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} is missing; 'npm run testbed' installs openssh-server (as root on Debian).`);
  }
  dir = await mkdtemp(join(tmpdir(), 'ship-ssh-'));
  home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  // Debian's init script makes sshd's privilege separation directory; no init runs here.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key'), '-C', 'ship-ssh-test']);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'user_key.pub')));
  await chmod(join(dir, 'authorized_keys'), 0o600);
  port = await freePort();
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'AllowTcpForwarding yes',
      'MaxSessions 64',
      'MaxStartups 64',
      '',
    ].join('\n'),
  );
  await startDaemon(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], async () => {
    const probe = await runProcess('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1']);
    return probe.exitCode === 0 && probe.stdout.includes('ssh-ed25519');
  });
  const [type, key] = (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim().split(/\s+/);
  hostKeyLine = `[127.0.0.1]:${port} ${type} ${key}\n`;
  await writeFile(join(home, '.ssh', 'known_hosts'), hostKeyLine);

  const agentSocket = join(dir, 'agent.sock');
  await startDaemon('ssh-agent', ['-D', '-a', agentSocket], async () => existsSync(agentSocket));
  await run('ssh-add', ['-q', join(dir, 'user_key')], { ...process.env, SSH_AUTH_SOCK: agentSocket });
  // The SDK reads known_hosts from HOME and keys from the agent, like ssh; this file runs in its own worker.
  process.env.HOME = home;
  process.env.SSH_AUTH_SOCK = agentSocket;
});

afterAll(async () => {
  for (const image of images) await removeImage(image, { force: true }).catch(() => {});
  await cleanup({ runId, images: true }).catch(() => {});
  for (const child of started.reverse()) {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('DOCKER_HOST=ssh://root@127.0.0.1:PORT', () => {
  test('doctor-level facts come over ssh: the same engine, found by the DOCKER_HOST rule', async () => {
    const report = await inspectEngine({ connection: connection() });
    expect(report).toMatchObject({ address: `ssh://root@127.0.0.1:${port}`, product: 'Docker' });
    expect(report.apiVersion).toMatch(/^1\.\d+$/);
  });

  test('the built SDK under plain Node (no bundler between) reaches the engine over ssh', async () => {
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    const script = `const sdk = await import(${JSON.stringify(dist)});
const discovery = sdk.discoverEngine(sdk.systemDiscoveryInput(process.env));
const report = await sdk.inspectEngine({ connection: discovery.connection, discovery });
console.log(JSON.stringify(report));
process.exit(0);`;
    const result = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, DOCKER_HOST: `ssh://root@127.0.0.1:${port}` },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      address: `ssh://root@127.0.0.1:${port}`,
      rule: 'DOCKER_HOST',
      product: 'Docker',
    });
  });

  test('build, then run with a published port reached through an ssh tunnel', async () => {
    const context = join(dir, 'context');
    await mkdir(context, { recursive: true });
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${testbed.baseImage}\nRUN echo "built over ssh ${runId}"\nCMD ["python", "-m", "http.server", "5000"]\n`,
    );
    const tag = `${uniqueName('ship-itg-ssh')}:1`;
    images.push(tag);
    const logs: string[] = [];
    const built = await buildImage({
      context,
      tags: [tag],
      connection: connection(),
      onProgress: (event) => {
        if (event.type === 'log') logs.push(event.line);
      },
    });
    // A new run id each run, so the step runs (and prints) instead of coming from the cache.
    expect(logs).toContainEqual(expect.stringContaining(`built over ssh ${runId}`));
    expect((await inspectImage(tag, { connection: connection() }))?.id).toBe(built.imageId);

    await using app = await runContainer({ image: tag, ports: [5000], runId, connection: connection() });
    const url = new URL(app.urlFor(5000));
    // The engine published a port on the remote host's loopback; this process reaches it through a tunnel.
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).not.toBe(app.hostPort(5000));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await fetch(url).then(
        (response) => response.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });

  test('release of the example: build, smoke test through the tunnel, push, all over ssh', async () => {
    const repo = uniqueName('ship-itg/ssh-example');
    images.push(`${plain}/${repo}:1.0.0`);
    const result = await release({
      context: exampleAppDir,
      image: `${plain}/${repo}`,
      version: '1.0.0',
      smoke: { expectBody: 'Hello from Docker!', timeoutMs: 120_000 },
      runId,
      connection: connection(),
    });
    expect(result.smoke).toMatchObject({ status: 'passed', httpStatus: 200, body: 'Hello from Docker!' });
    expect(result.pushed).toBe(true);
    const response = await fetch(`http://${plain}/v2/${repo}/tags/list`);
    expect(((await response.json()) as { tags: string[] }).tags.sort()).toEqual(['1', '1.0', '1.0.0', 'latest']);
    expect(await listShipContainers({ runId })).toEqual([]);
  });

  test('a host known_hosts does not list is refused with the fix', async () => {
    // known_hosts trusts [127.0.0.1]:PORT only; the same sshd under another name is unknown.
    const other = resolveEngineConnection({ DOCKER_HOST: `ssh://root@localhost:${port}` });
    const failure = await inspectEngine({ connection: other }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineUnavailableError);
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^The ssh connection to the engine at ssh://root@localhost:${port} failed: its host key is not in .*known_hosts; check it and add it`,
      ),
    );
  });

  test('a host key that changed is refused with the fix', async () => {
    await writeFile(join(home, '.ssh', 'known_hosts'), hostKeyLine.replace(/ \S+\n$/, ` ${OTHER_KEY}\n`));
    try {
      const failure = await inspectEngine({
        connection: resolveEngineConnection({ DOCKER_HOST: `ssh://i16-other@127.0.0.1:${port}` }),
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EngineUnavailableError);
      expect((failure as Error).message).toMatch(
        /its host key does not match the one \[127\.0\.0\.1\]:\d+ has in known_hosts \(mismatch\)/,
      );
    } finally {
      await writeFile(join(home, '.ssh', 'known_hosts'), hostKeyLine);
    }
  });

  test('a key the host does not accept is refused with the fix', async () => {
    const failure = await inspectEngine({
      connection: resolveEngineConnection({ DOCKER_HOST: `ssh://nobody-i16@127.0.0.1:${port}` }),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineUnavailableError);
    expect((failure as Error).message).toMatch(/failed: no key was accepted for nobody-i16; add one to your ssh agent/);
  });
});
