import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { runProcess } from '../process/run-process.js';
import { discoverEngine, resolveEngineConnection, systemDiscoveryInput } from './discovery/discover.js';
import { inspectImage, removeImage } from './images.js';
import { inspectEngine } from './info.js';

/**
 * DOCKER_HOST over tcp and tcp+TLS, proved against the real engine: a small proxy on 127.0.0.1
 * (plain TCP, or TLS that demands a client certificate signed by a CA made here with openssl)
 * pipes every connection to /var/run/docker.sock.
 */
const ENGINE_SOCKET = '/var/run/docker.sock';
let dir: string;
let context: string;
const servers: Server[] = [];
const images: string[] = [];

interface EngineProxy {
  port: number;
  connections: number;
  /** TLS connections whose client certificate the proxy verified. */
  authorized: number;
}

function pipeToEngine(client: Socket): void {
  const engine = connect(ENGINE_SOCKET);
  client.pipe(engine).pipe(client);
  const close = () => {
    client.destroy();
    engine.destroy();
  };
  client.on('error', close);
  engine.on('error', close);
  client.on('close', close);
  engine.on('close', close);
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startTcpProxy(): Promise<EngineProxy> {
  const proxy: EngineProxy = { port: 0, connections: 0, authorized: 0 };
  const server = createServer((client) => {
    proxy.connections += 1;
    pipeToEngine(client);
  });
  proxy.port = await listen(server);
  return proxy;
}

async function startTlsProxy(certs: { ca: string; cert: string; key: string }): Promise<EngineProxy> {
  const proxy: EngineProxy = { port: 0, connections: 0, authorized: 0 };
  const server = createTlsServer(
    {
      ca: await readFile(certs.ca),
      cert: await readFile(certs.cert),
      key: await readFile(certs.key),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client: TLSSocket) => {
      proxy.connections += 1;
      if (client.authorized) proxy.authorized += 1;
      pipeToEngine(client);
    },
  );
  proxy.port = await listen(server);
  return proxy;
}

async function openssl(args: string[]): Promise<void> {
  const result = await runProcess('openssl', args);
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, laid out as DOCKER_CERT_PATH expects. */
type Certificates = { clientDir: string; server: { ca: string; cert: string; key: string } };
let certificates: Promise<Certificates> | undefined;
/** One CA, server and client certificate per file run, shared by the TLS tests. */
function makeCertificates(): Promise<Certificates> {
  certificates ??= createCertificates();
  return certificates;
}

async function createCertificates(): Promise<Certificates> {
  const clientDir = join(dir, 'client');
  const serverDir = join(dir, 'server');
  await mkdir(clientDir);
  await mkdir(serverDir);
  const ca = join(serverDir, 'ca.pem');
  const caKey = join(serverDir, 'ca-key.pem');
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '1',
    '-subj',
    '/CN=ship test engine CA',
  ]);
  const sign = async (name: string, subject: string, extensions: string, outDir: string) => {
    const ext = join(dir, `${name}.ext`);
    await writeFile(ext, extensions);
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(outDir, 'key.pem'),
      '-out',
      join(dir, `${name}.csr`),
      '-subj',
      subject,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      ca,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      join(outDir, 'cert.pem'),
      '-days',
      '1',
      '-extfile',
      ext,
    ]);
  };
  await sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', serverDir);
  await sign('client', '/CN=ship-client', 'extendedKeyUsage=clientAuth\n', clientDir);
  await writeFile(join(clientDir, 'ca.pem'), await readFile(ca));
  return { clientDir, server: { ca, cert: join(serverDir, 'cert.pem'), key: join(serverDir, 'key.pem') } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-remote-engine-'));
  context = join(dir, 'context');
  await mkdir(context);
  await writeFile(join(context, 'Dockerfile'), 'FROM python:3.11-slim\nRUN echo "built over the wire"\n');
});
afterAll(async () => {
  for (const image of images) await removeImage(image, { force: true }).catch(() => {});
  for (const server of servers) server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DOCKER_HOST beyond the local socket', () => {
  test('tcp://127.0.0.1:<port> builds, inspects and removes through the engine', async () => {
    const proxy = await startTcpProxy();
    const connection = resolveEngineConnection({ DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}` });
    expect(connection).toEqual({ kind: 'tcp', host: '127.0.0.1', port: proxy.port, tls: false });
    const tag = `${uniqueName('ship-itg-tcp')}:1`;
    images.push(tag);
    const logs: string[] = [];
    const result = await buildImage({
      context,
      tags: [tag],
      noCache: true,
      connection,
      onProgress: (event) => {
        if (event.type === 'log') logs.push(event.line);
      },
    });
    expect(logs).toEqual(['built over the wire']);
    expect((await inspectImage(tag, { connection }))?.id).toBe(result.imageId);
    await removeImage(tag, { connection });
    expect(await inspectImage(tag)).toBeUndefined();
    expect(proxy.connections).toBeGreaterThan(0);
  });

  test('tcp with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH speaks TLS with a client certificate', async () => {
    const certs = await makeCertificates();
    const proxy = await startTlsProxy(certs.server);
    const connection = resolveEngineConnection({
      DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs.clientDir,
    });
    expect(connection).toMatchObject({ kind: 'tcp', tls: true, verify: true, certPath: certs.clientDir });
    const tag = `${uniqueName('ship-itg-tls')}:1`;
    images.push(tag);
    const result = await buildImage({ context, tags: [tag], connection });
    expect((await inspectImage(tag, { connection }))?.id).toBe(result.imageId);
    expect(proxy.authorized).toBeGreaterThan(0);
    expect(proxy.authorized).toBe(proxy.connections);
  });
});

describe('a docker context the docker CLI made', () => {
  test('a context pointing at a tcp+TLS engine is found (DOCKER_CONTEXT, then as the current context) and used with its TLS files', async () => {
    const certs = await makeCertificates();
    const proxy = await startTlsProxy(certs.server);
    const config = join(dir, 'docker-config');
    const name = uniqueName('ship-itg-ctx');
    const docker = async (...args: string[]) => {
      const result = await runProcess('docker', ['--config', config, ...args]);
      expect(result.exitCode, result.stderr).toBe(0);
    };
    const pem = (file: string) => join(certs.clientDir, file);
    await docker(
      'context',
      'create',
      name,
      '--docker',
      `host=tcp://127.0.0.1:${proxy.port},ca=${pem('ca.pem')},cert=${pem('cert.pem')},key=${pem('key.pem')}`,
    );

    const byEnv = discoverEngine(systemDiscoveryInput({ DOCKER_CONFIG: config, DOCKER_CONTEXT: name }));
    expect(byEnv.rule).toBe('DOCKER_CONTEXT');
    expect(byEnv.connection).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: proxy.port, tls: true, verify: true });

    await docker('context', 'use', name);
    const current = discoverEngine(systemDiscoveryInput({ DOCKER_CONFIG: config }));
    expect(current.rule).toBe('docker context');
    expect(current.connection).toEqual(byEnv.connection);

    const report = await inspectEngine({ connection: current.connection, discovery: current });
    expect(report).toMatchObject({ rule: 'docker context', address: `https://127.0.0.1:${proxy.port}`, product: 'Docker' });
    const tag = `${uniqueName('ship-itg-ctx')}:1`;
    images.push(tag);
    const result = await buildImage({ context, tags: [tag], connection: current.connection });
    expect((await inspectImage(tag, { connection: current.connection }))?.id).toBe(result.imageId);
    expect(proxy.authorized).toBeGreaterThan(0);
    expect(proxy.authorized).toBe(proxy.connections);
  });
});
