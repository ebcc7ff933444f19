import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { runTool } from './run-tool.js';
import { loadTestbed } from './testbed.js';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  /** htpasswd basic auth with these users. */
  htpasswd?: RegistryUser[];
  /** Bearer token auth: the distribution registry's `auth: token:` section. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { certificate: string; key: string };
  /** The `docker-registry` binary; default from the test bed state. */
  binary?: string;
}

export interface StartedRegistry {
  /** `127.0.0.1:<port>`: what image references use. */
  host: string;
  port: number;
  url: string;
  dir: string;
  /** Everything the registry logged so far (its access log included). */
  logs(): string;
  stop(): Promise<void>;
}

/** A free loopback port, as the OS hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An htpasswd file (bcrypt), passwords given to `htpasswd` on stdin, never as arguments. */
export async function writeHtpasswd(path: string, users: RegistryUser[]): Promise<void> {
  const lines: string[] = [];
  for (const user of users) {
    lines.push((await runTool('htpasswd', ['-niB', user.username], `${user.password}\n`)).trim());
  }
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/**
 * Runs the real distribution registry (`docker-registry serve`) on a free loopback port with a
 * temp config and storage, for tests that need auth, TLS or a registry of their own. Stop it in
 * `afterAll`. (A long-running server, so it spawns directly rather than through `runTool`, which
 * runs commands to completion.)
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<StartedRegistry> {
  const binary = options.binary ?? loadTestbed().registryBinary;
  if (!binary) throw new Error('The test bed has no docker-registry binary; run npm run testbed.');
  const dir = await mkdtemp(join(tmpdir(), 'ship-registry-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
      storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
      http: {
        addr: `127.0.0.1:${port}`,
        secret: randomBytes(16).toString('hex'),
        ...(options.tls ? { tls: { certificate: options.tls.certificate, key: options.tls.key } } : {}),
      },
    };
    if (options.htpasswd) {
      await writeHtpasswd(join(dir, 'htpasswd'), options.htpasswd);
      config.auth = { htpasswd: { realm: 'container-ship-test', path: join(dir, 'htpasswd') } };
    } else if (options.token) {
      config.auth = {
        token: {
          realm: options.token.realm,
          service: options.token.service,
          issuer: options.token.issuer,
          rootcertbundle: options.token.rootCertBundle,
        },
      };
    }
    const configPath = join(dir, 'config.yml');
    await writeFile(configPath, stringify(config));
    const child = spawn(binary, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const scheme = options.tls ? 'https' : 'http';
    const url = `${scheme}://127.0.0.1:${port}`;
    try {
      await waitUntilServing(url, child, () => output);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      continue;
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      url,
      dir,
      logs: () => output,
      stop: async () => {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${output().slice(-500)}`);
      try {
        const response = await request(`${url}/v2/`, { dispatcher: insecureAgent });
        await response.body.dump();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`docker-registry did not answer on ${url}: ${output().slice(-500)}`);
  } finally {
    await insecureAgent.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A self-signed CA and a server certificate it signed for 127.0.0.1/localhost, made with openssl. */
export async function makeTestCertificates(
  dir: string,
  commonName = 'container-ship test CA',
): Promise<{ ca: string; caKey: string; cert: string; key: string }> {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  await writeFile(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', `/CN=${commonName}`],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1'],
    ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext],
  ];
  for (const args of steps) await runTool('openssl', args);
  return { ca, caKey, cert, key };
}
