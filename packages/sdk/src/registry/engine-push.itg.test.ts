import { uniqueName } from '@container-ship/test-utils';
import {
  pushSyntheticImage,
  type RegistryProxy,
  type StartedRegistry,
  startRegistry,
  startRegistryProxy,
} from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { removeImage } from '../engine/images.js';
import type { ProgressEvent } from '../progress.js';
import { pullImage } from '../push/pull-image.js';
import { pushImage } from '../push/push-image.js';
import { RegistryClient } from './client.js';

// The engine push path through the same flaky proxy: dockerd pushes to 127.0.0.1:<proxy port>
// (loopback registries are insecure, plain HTTP, by default) and engine A's pushImage retries.
const noWait = { now: () => Date.now(), sleep: async () => {} };

let origin: StartedRegistry;
let clean: StartedRegistry;
let target: StartedRegistry;
let flaky: RegistryProxy;
const engineRefs: string[] = [];

beforeAll(async () => {
  origin = await startRegistry();
  clean = await startRegistry();
  target = await startRegistry();
  flaky = await startRegistryProxy({ upstream: target.url, resetRate: 0.3, errorRate: 0.1, seed: 11, lifetimeMs: 380_000 });
});

afterAll(async () => {
  for (const ref of engineRefs) await removeImage(ref, { force: true }).catch(() => {});
  await flaky?.stop();
  for (const registry of [origin, clean, target]) await registry?.stop();
});

test('an engine push through a proxy that resets 30% of connections gives the same digest as a clean push', async () => {
  const image = await pushSyntheticImage(`${origin.host}/${uniqueName('engine-src')}/app:1`, {
    pullable: true,
    layerSizes: [400_000, 150_000, 20_000],
  });
  engineRefs.push(image.ref);
  await pullImage({ image: image.ref });

  const cleanRef = `${clean.host}/${uniqueName('engine-clean')}/app:1`;
  const flakyName = `${uniqueName('engine-flaky')}/app`;
  const flakyRef = `${flaky.host}/${flakyName}:1`;
  engineRefs.push(cleanRef, flakyRef);
  const cleanPush = await pushImage({ image: image.ref, tags: [cleanRef] });

  const events: ProgressEvent[] = [];
  const flakyPush = await pushImage({
    image: image.ref,
    tags: [flakyRef],
    clock: noWait,
    // Every failing attempt uses up at least one of the proxy's bounded failures (at most two per
    // request kind), so this many attempts always reach a clean one; 8 ran out about one run in four.
    retry: { attempts: 40 },
    onProgress: (e) => events.push(e),
  });

  expect(flakyPush.digest).toBe(cleanPush.digest);
  expect(flaky.requests.some((r) => r.outcome !== 'forwarded')).toBe(true);
  // Bounded: each request fails at most twice, so the whole push stays within a small multiple of a clean one.
  expect(flaky.requests.length).toBeLessThan(300);
  const stored = new RegistryClient(target.host);
  try {
    expect((await stored.getManifest(flakyName, '1')).digest).toBe(cleanPush.digest);
  } finally {
    await stored.close();
  }
  console.log(
    `engine push through the flaky proxy: ${flaky.requests.length} requests, ${flaky.requests.filter((r) => r.outcome === 'reset').length} resets, ${flaky.requests.filter((r) => r.outcome === '503').length} 503s, ${events.filter((e) => e.type === 'retry').length} whole-push retries by pushImage`,
  );
}, 400_000);
