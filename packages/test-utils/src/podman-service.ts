import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { loadTestbed } from './testbed.js';

/**
 * vitest globalSetup for `npm run test:podman`: starts `podman system service` on a socket of
 * its own, makes the test bed's registries reachable from it (insecure, like Docker treats
 * 127.0.0.0/8), loads the example's base image into it from the Docker engine once, and stops
 * the service afterwards. Its storage is cached under ~/.cache/container-ship/podman so a second
 * run does not load the base image again.
 */
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function which(command: string): string | undefined {
  return [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_PATH]
    .map((dir) => join(dir, command))
    .find((path) => existsSync(path));
}

interface Answer {
  status: number;
  body: string;
}

function call(socketPath: string, method: string, path: string, body?: Readable): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body ? { 'content-type': 'application/x-tar' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

function stream(socketPath: string, path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path }, (res) =>
      res.statusCode === 200 ? resolve(res) : reject(new Error(`GET ${path} answered ${res.statusCode}`)),
    );
    req.on('error', reject);
    req.end();
  });
}

let service: ChildProcess | undefined;
let socketDir: string | undefined;

export async function setup(): Promise<void> {
  const podman = which('podman');
  if (!podman) throw new Error("podman is missing; 'npm run testbed' installs it as root on Debian, or install it yourself.");
  const testbed = loadTestbed();
  const cache = join(process.env.HOME || homedir(), '.cache', 'container-ship', 'podman');
  // Podman records its run root in its database: it must stay the same from run to run.
  const runRoot = process.getuid?.() === 0 ? '/run/container-ship-podman' : join(cache, 'run');
  await mkdir(join(cache, 'storage'), { recursive: true });
  await mkdir(runRoot, { recursive: true });
  socketDir = await mkdtemp(join(tmpdir(), 'ship-podman-'));
  const socketPath = join(socketDir, 'podman.sock');
  const registries = [testbed.registries.plain.host, testbed.registries.auth.host];
  const registriesConf = join(socketDir, 'registries.conf');
  await writeFile(
    registriesConf,
    [
      'unqualified-search-registries = []',
      ...registries.map((host) => `[[registry]]\nlocation = "${host}"\ninsecure = true`),
      '',
    ].join('\n'),
  );
  // Podman raises a container's open-files limit to 1048576 by default; where this process may not
  // (a CI container, a VM with a lower hard limit) runc fails with "error setting rlimit type 7".
  const containersConf = join(socketDir, 'containers.conf');
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const limit = (name: string) =>
    /^\S.*?\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits.split('\n').find((line) => line.startsWith(name)) ?? '');
  const ulimits = ([['nofile', limit('Max open files')]] as const)
    .filter(([, match]) => match && match[1] !== 'unlimited' && match[2] !== 'unlimited')
    .map(([name, match]) => `"${name}=${match?.[1]}:${match?.[2]}"`);
  // Its process limit: podman's own service runs with a lower one than this process, so a fixed modest value.
  ulimits.push('"nproc=4096:4096"');
  await writeFile(containersConf, `[containers]\ndefault_ulimits = [${ulimits.join(', ')}]\n`);
  const log = join(socketDir, 'service.log');
  let output = '';
  service = spawn(
    podman,
    ['--root', join(cache, 'storage'), '--runroot', runRoot, 'system', 'service', '--time=0', `unix://${socketPath}`],
    {
      env: {
        ...process.env,
        CONTAINERS_REGISTRIES_CONF: registriesConf,
        CONTAINERS_CONF: containersConf,
        PATH: [process.env.PATH, ...SYSTEM_PATH].join(delimiter),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  service.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  service.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  for (let i = 0; ; i++) {
    if (service.exitCode !== null) throw new Error(`podman system service exited ${service.exitCode}: ${output.trim()}`);
    const ping = existsSync(socketPath) ? await call(socketPath, 'GET', '/_ping').catch(() => undefined) : undefined;
    if (ping?.status === 200) break;
    if (i > 300) throw new Error(`podman system service did not answer on ${socketPath} within 30 s: ${output.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await writeFile(log, output);

  // FROM python:3.11-slim resolves to docker.io/library/python; a loaded archive is named localhost/python.
  const base = testbed.baseImage;
  const qualified = base.includes('/') ? base : `docker.io/library/${base}`;
  if ((await call(socketPath, 'GET', `/images/${encodeURIComponent(qualified)}/json`)).status !== 200) {
    const dockerSocket = process.env.DOCKER_HOST?.startsWith('unix://')
      ? process.env.DOCKER_HOST.slice(7)
      : '/var/run/docker.sock';
    const archive = await stream(dockerSocket, `/images/${encodeURIComponent(base)}/get`);
    const loaded = await call(socketPath, 'POST', '/images/load', archive);
    if (loaded.status !== 200) throw new Error(`podman could not load ${base}: ${loaded.body}`);
    const name = /Loaded image: ([^"\s]+)/.exec(loaded.body)?.[1] ?? `localhost/${base}`;
    const colon = qualified.lastIndexOf(':');
    const tagged = await call(
      socketPath,
      'POST',
      `/images/${encodeURIComponent(name)}/tag?repo=${encodeURIComponent(qualified.slice(0, colon))}&tag=${encodeURIComponent(qualified.slice(colon + 1))}`,
    );
    if (tagged.status >= 300) throw new Error(`podman could not tag ${name} as ${qualified}: ${tagged.body}`);
  }
  process.env.SHIP_PODMAN_SOCKET = socketPath;
}

export async function teardown(): Promise<void> {
  if (service && service.exitCode === null) {
    const exited = new Promise((resolve) => service?.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  if (socketDir) await rm(socketDir, { recursive: true, force: true });
}
