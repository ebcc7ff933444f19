import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { healthFromSmoke, healthProbeCommand, planService } from './plan.js';

const image = `localhost:5001/team/app:1.1@sha256:${'b'.repeat(64)}`;
const base = { service: 'app', image, replicas: 2, port: 5000 } as const;

describe('planService', () => {
  test('host mode: pinned image, a host port per replica, start-first health-gated updates that roll back', () => {
    const spec = planService({ ...base, publish: 'host', health: { path: '/healthz', startPeriodMs: 20_000 } });
    expect(spec.TaskTemplate.ContainerSpec.Image).toBe(image);
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(spec.EndpointSpec).toEqual({ Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }] });
    expect(spec.UpdateConfig).toEqual({
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'rollback',
      Monitor: 5_000_000_000,
      MaxFailureRatio: 0,
      Order: 'start-first',
    });
    expect(spec.RollbackConfig).toMatchObject({ Parallelism: 1, Order: 'start-first', FailureAction: 'pause' });
    expect(spec.TaskTemplate.ContainerSpec.HealthCheck).toMatchObject({
      Test: ['CMD-SHELL', expect.stringContaining('http://127.0.0.1:5000/healthz')],
      StartPeriod: 20_000_000_000,
      Retries: 3,
    });
    expect(spec.Labels).toMatchObject({ 'io.container-ship.managed': 'true', 'io.container-ship.service': 'app' });
  });

  test('a fixed host port cannot hold two replicas at once on a node, so updates stop first', () => {
    const spec = planService({ ...base, publish: 'host', hostPort: 8080 });
    expect(spec.EndpointSpec.Ports?.[0]).toMatchObject({ PublishedPort: 8080, PublishMode: 'host' });
    expect(spec.UpdateConfig.Order).toBe('stop-first');
  });

  test('dnsrr: no published port, DNS round-robin on the overlay network', () => {
    const spec = planService({ ...base, publish: 'dnsrr', networks: ['app-net'] });
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: 'app-net' }]);
  });

  test('health: false leaves the image without a health check', () => {
    expect(planService({ ...base, publish: 'host', health: false }).TaskTemplate.ContainerSpec.HealthCheck).toBeUndefined();
  });

  test.each([
    [{ service: '-app' }, /not a valid service name/],
    [{ replicas: -1 }, /not a replica count/],
    [{ replicas: 1.5 }, /not a replica count/],
    [{ image: 'localhost:5001/team/app:1.1' }, /not pinned to a digest/],
    [{ publish: 'dnsrr' as const }, /needs an overlay network/],
    [{ publish: 'dnsrr' as const, networks: ['n'], hostPort: 80 }, /only applies to --publish host/],
  ])('refuses %j in one sentence', (override, message) => {
    expect(() => planService({ ...base, publish: 'host', ...override })).toThrow(message);
  });
});

/**
 * The health probe runs for real: `sh -c` with the image's tools (here, the machine's), against a
 * server on 127.0.0.1 standing in for the app.
 */
describe('healthProbeCommand', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/ok') response.end("Hello from Docker! it's fine");
      else if (request.url === '/boom') response.writeHead(500).end('broken');
      else response.writeHead(404).end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  const bins: string[] = [];
  afterAll(async () => {
    const { rm } = await import('node:fs/promises');
    for (const bin of bins) await rm(bin, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const probe = (command: string[], path = process.env.PATH ?? '') =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('/bin/sh', ['-c', command[1] ?? ''], { env: { PATH: path }, timeout: 30_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });

  test.each([
    ['/ok', {}, 0],
    ['/ok', { expectBody: "it's fine" }, 0],
    ['/ok', { expectBody: 'Goodbye' }, 1],
    ['/boom', {}, 1],
    ['/boom', { expectStatus: 500 }, 0],
    ['/missing', {}, 1],
  ])('python: GET %s with %j exits %i', async (path, expectation, code) => {
    expect((await probe(healthProbeCommand(port, { path, ...expectation }))).code).toBe(code);
  });

  test.each([
    ['/ok', { expectBody: "it's fine" }, 0],
    ['/ok', { expectBody: 'Goodbye' }, 1],
    ['/boom', { expectStatus: 500 }, 0],
    ['/boom', {}, 1],
  ])('curl (no python in the image): GET %s with %j exits %i', async (path, expectation, code) => {
    // A PATH with curl and the few tools the script uses, but no python.
    const { mkdtemp, symlink } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const bin = await mkdtemp(join(tmpdir(), 'ship-probe-'));
    bins.push(bin);
    for (const tool of ['curl', 'tail', 'grep']) await symlink(`/usr/bin/${tool}`, join(bin, tool));
    expect((await probe(healthProbeCommand(port, { path, ...expectation }), bin)).code).toBe(code);
  });

  test('an image with none of the tools fails the check, saying why', async () => {
    expect(await probe(healthProbeCommand(port, { path: '/ok' }), '/nonexistent')).toEqual({
      code: 1,
      stderr: 'no python, curl or wget in the image to check its health\n',
    });
  });
});

describe('healthFromSmoke', () => {
  test.each([
    ['no smoke settings', undefined, { health: {} }],
    ['smoke turned off', false as const, { health: {} }],
    [
      'every field',
      { port: 8000, path: '/healthz', expectStatus: 204, expectBody: 'ok', timeoutMs: 5000 },
      { port: 8000, health: { path: '/healthz', expectStatus: 204, expectBody: 'ok', startPeriodMs: 5000 } },
    ],
    ['a body that is not a string cannot be checked in the container', { expectBody: /ok/ }, { health: {} }],
  ])('%s', (_name, smoke, expected) => {
    expect(healthFromSmoke(smoke)).toEqual(expected);
  });
});
