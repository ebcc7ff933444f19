import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ProgressEvent } from '../progress.js';
import { uniqueName } from '../testing/testbed.js';
import { RegistryClient } from './client.js';
import { startRegistryProxy } from './testing/proxy.js';
import { startRegistry } from './testing/registry-server.js';
import { pushSyntheticImage } from './testing/synthetic-image.js';
import { startTokenServer } from './testing/token-server.js';

// Deadlines and retry budgets of registry HTTP, against real registries behind the fault proxy.
const noWait = { now: () => Date.now(), sleep: async () => {} };
const alice = { username: 'alice', password: `pw-${uniqueName('i14')}` };
let dir: string;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i14-deadlines-'));
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('registry HTTP deadlines and retry budgets', () => {
  test('a manifest PUT the registry never answers fails after the stall timeout, once, not retried', async () => {
    const registry = await startRegistry();
    stops.push(registry.stop);
    const proxy = await startRegistryProxy({
      upstream: registry.url,
      fault: ({ method, path }) => (method === 'PUT' && path.endsWith('/manifests/stuck') ? { kind: 'stall' } : undefined),
    });
    stops.push(proxy.stop);
    const name = `${uniqueName('i14-stall')}/app`;
    const image = await pushSyntheticImage(`${registry.host}/${name}:src`);
    const source = new RegistryClient(registry.host);
    const manifest = await source.getManifest(name, 'src');
    await source.close();

    const events: ProgressEvent[] = [];
    const client = new RegistryClient(proxy.host, { stallTimeoutMs: 1_500, onProgress: (e) => events.push(e) });
    const started = Date.now();
    const error = await client.putManifest(name, 'stuck', manifest).catch((e: unknown) => e as Error & { code?: string });
    const elapsedMs = Date.now() - started;
    await client.close();

    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect((error as Error).message).toBe(
      `The request for ${proxy.host}/${name}:stuck moved no data for 1.5 s; check that the registry is up and reachable, or raise the stall timeout (--stall-timeout).`,
    );
    expect(proxy.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(image.digest).toMatch(/^sha256:/);
    console.info(`stalled manifest PUT failed after ${elapsedMs} ms with a 1.5 s stall timeout`);
  });

  test('a token server answering 500 is asked once per attempt (5), and the message names it once', async () => {
    const tokens = await startTokenServer({ dir, users: [alice] });
    stops.push(tokens.stop);
    const tokenProxy = await startRegistryProxy({
      upstream: new URL(tokens.realm).origin,
      fault: () => ({ kind: 'answer', status: 500, body: 'token service down\n' }),
    });
    stops.push(tokenProxy.stop);
    const registry = await startRegistry({ token: { ...tokens, realm: `${tokenProxy.url}/token` } });
    stops.push(registry.stop);

    const events: ProgressEvent[] = [];
    const client = new RegistryClient(registry.host, { auth: alice, clock: noWait, onProgress: (e) => events.push(e) });
    const error = await client.listTags('i14/app').catch((e: unknown) => e as Error & { code?: string });
    await client.close();

    expect(tokenProxy.requests).toHaveLength(5);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(4);
    const message = (error as Error).message;
    expect(message).toBe(
      `The token server ${tokenProxy.url}/token answered 500 to a token request for ${registry.host}; retry later.`,
    );
    expect(message.split(tokenProxy.url)).toHaveLength(2);
  });
});
