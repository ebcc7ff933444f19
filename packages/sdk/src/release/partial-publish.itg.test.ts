import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import {
  type ProxyFault,
  type RegistryProxy,
  type StartedRegistry,
  startRegistry,
  startRegistryProxy,
} from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newRunId } from '../cleanup/labels.js';
import { cleanup } from '../cleanup/sweep.js';
import { removeImage } from '../engine/images.js';
import { RegistryClient } from '../registry/client.js';
import { ReleaseError, release } from './release.js';

// A real registry behind the fault-injecting proxy: dockerd pushes the exact tag through it
// (loopback registries are plain HTTP for the engine), and the floating tags' manifest PUTs
// go through it too. Each case breaks one request and checks that the release reports exactly
// what the registry holds.
const runId = newRunId();
let registry: StartedRegistry;
let proxy: RegistryProxy;
let app: string;
let faultFor: (request: { method: string; path: string }) => ProxyFault | undefined = () => undefined;
const localTags: string[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startRegistryProxy({ upstream: registry.url, fault: (request) => faultFor(request) });
  app = await mkdtemp(join(tmpdir(), 'i14-partial-app-'));
  await writeFile(join(app, 'Dockerfile'), `FROM ${loadTestbed().baseImage}\nRUN echo i14 > /i14\n`);
});

afterAll(async () => {
  for (const tag of localTags) await removeImage(tag, { force: true }).catch(() => {});
  await cleanup({ runId, images: true });
  await proxy?.stop();
  await registry?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

async function storedTags(repository: string): Promise<Record<string, string>> {
  const client = new RegistryClient(registry.host);
  try {
    const tags = await client.listTags(repository).catch(() => [] as string[]);
    const digests: Record<string, string> = {};
    for (const tag of tags.sort()) digests[tag] = (await client.headManifest(repository, tag))?.digest ?? '';
    return digests;
  } finally {
    await client.close();
  }
}

const manifestPut = (tag: string) => (r: { method: string; path: string }) =>
  r.method === 'PUT' && r.path.endsWith(`/manifests/${tag}`);

describe('a release that publishes part of its tags says exactly which', () => {
  test.each([
    {
      name: 'the manifest PUT of 1.0 answers 500',
      fault: (r: { method: string; path: string }) =>
        manifestPut('1.0')(r) ? ({ kind: 'answer', status: 500 } as const) : undefined,
      published: ['1.0.0'],
      failed: ['1.0', '1', 'latest'],
    },
    {
      name: 'the manifest PUT of 1 answers 500',
      fault: (r: { method: string; path: string }) =>
        manifestPut('1')(r) ? ({ kind: 'answer', status: 500 } as const) : undefined,
      published: ['1.0.0', '1.0'],
      failed: ['1', 'latest'],
    },
    {
      name: 'the pushed manifest reads back as garbage',
      fault: (r: { method: string; path: string }) =>
        r.method === 'GET' && /\/manifests\/sha256:/.test(r.path) ? ({ kind: 'garbage' } as const) : undefined,
      published: ['1.0.0'],
      failed: ['1.0', '1', 'latest'],
    },
    {
      name: 'the registry stores 1.0 but its answer is lost (500): read back, it counts as published',
      fault: (r: { method: string; path: string }) =>
        manifestPut('1.0')(r) ? ({ kind: 'answer', status: 500, forward: true } as const) : undefined,
      published: ['1.0.0', '1.0'],
      failed: ['1', 'latest'],
    },
  ])('$name', async ({ fault, published, failed }) => {
    const repository = uniqueName('i14-partial/app');
    const image = `${proxy.host}/${repository}`;
    localTags.push(`${image}:1.0.0`);
    faultFor = fault;
    const error = await release({ context: app, image, version: '1.0.0', smoke: false, runId }).catch((e: unknown) => e);
    faultFor = () => undefined;

    expect(error).toBeInstanceOf(ReleaseError);
    const { result, message, code } = error as ReleaseError;
    expect(code).toBe('PUSH_FAILED');
    expect(result.pushed).toBe(false);
    expect(result.tags).toEqual(published.map((tag) => `${image}:${tag}`));
    expect(result.failedTags).toEqual(failed.map((tag) => `${image}:${tag}`));
    expect(result.publish[0]).toMatchObject({ ok: false, refs: result.tags, failedRefs: result.failedTags });
    expect(message).toContain(`; published ${published.join(', ')}; ${failed.join(', ')} failed; fix it and release again.`);
    // The registry holds exactly what the result says, all at the released digest.
    const stored = await storedTags(repository);
    expect(Object.keys(stored).sort()).toEqual([...published].sort());
    for (const digest of Object.values(stored)) expect(digest).toBe(result.digest);
  });
});
