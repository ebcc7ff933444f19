import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { inspectImage, removeImage } from '../engine/images.js';
import { AbortedError, PushError, RegistryError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { pullImage } from './pull-image.js';
import { pushImage } from './push-image.js';

// Real engine, real registries (localhost:5001 plain, localhost:5002 htpasswd): nothing mocked.
const testbed = loadTestbed();
const plain = testbed.registries.plain.host;
const secured = testbed.registries.auth;
const refs: string[] = [];
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ship-push-itg-'));
});
afterAll(async () => {
  for (const ref of refs) await removeImage(ref, { force: true }).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

/** A small image of its own (random content, so no other test's layer is shared): its ID. */
async function smallImage(bytes = 200_000, builder?: 'classic'): Promise<string> {
  const dir = join(root, uniqueName('img'));
  await mkdir(dir);
  await writeFile(join(dir, 'payload.bin'), randomBytes(bytes));
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY payload.bin /\n');
  const { imageId } = await buildImage({ context: dir, builder });
  refs.push(imageId);
  return imageId;
}

function ref(registry: string, prefix: string, tag = '1'): string {
  const full = `${registry}/${uniqueName(prefix)}:${tag}`;
  refs.push(full);
  return full;
}

/** What the registry serves for a tag: the manifest digest from its Docker-Content-Digest header. */
async function servedDigest(
  registry: string,
  repoAndTag: string,
  auth?: { username: string; password: string },
): Promise<{ status: number; digest: string | null }> {
  const [repo, tag] = repoAndTag.split(':') as [string, string];
  const response = await fetch(`http://${registry}/v2/${repo}/manifests/${tag}`, {
    headers: {
      accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {}),
    },
  });
  return { status: response.status, digest: response.headers.get('docker-content-digest') };
}

const repoPart = (full: string, registry: string) => full.slice(registry.length + 1);

describe('pushImage against the real registries', () => {
  test('push to localhost:5001 gives the digest the registry serves, for every tag', async () => {
    const image = await smallImage();
    const first = ref(plain, 'ship-itg-push');
    const second = first.replace(/:1$/, ':latest');
    refs.push(second);
    const events: ProgressEvent[] = [];
    const result = await pushImage({ image, tags: [first, second], onProgress: (event) => events.push(event) });
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.refs).toEqual([first, second]);
    expect(result.pushes.map((push) => push.digest)).toEqual([result.digest, result.digest]);
    // The first tag uploads the ~200 kB layer; the second finds it there.
    expect(result.pushes[0]?.bytesUploaded).toBeGreaterThan(200_000);
    expect(result.pushes[1]?.layersExisting).toBe(1);
    expect(await servedDigest(plain, repoPart(first, plain))).toEqual({ status: 200, digest: result.digest });
    expect(await servedDigest(plain, repoPart(second, plain))).toEqual({ status: 200, digest: result.digest });
    expect(events.some((event) => event.type === 'layer' && event.phase === 'push' && event.status === 'Pushed')).toBe(true);
    expect(events.filter((event) => event.type === 'retry')).toEqual([]);
  });

  test('push to the htpasswd registry with the right password works', async () => {
    const image = await smallImage();
    const target = ref(secured.host, 'ship-itg-auth');
    const result = await pushImage({ image, tags: [target], auth: { username: secured.username, password: secured.password } });
    expect(await servedDigest(secured.host, repoPart(target, secured.host), secured)).toEqual({
      status: 200,
      digest: result.digest,
    });
  });

  test('a wrong password rejects at once with PushError UNAUTHORIZED, and the password appears nowhere', async () => {
    const image = await smallImage();
    const target = ref(secured.host, 'ship-itg-badauth');
    const password = `wrong-${randomBytes(8).toString('hex')}`;
    const events: ProgressEvent[] = [];
    const error = await pushImage({
      image,
      tags: [target],
      auth: { username: secured.username, password },
      onProgress: (event) => events.push(event),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PushError);
    const pushError = error as PushError;
    expect(pushError.reason).toBe('UNAUTHORIZED');
    expect(pushError.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(pushError.message).toBe(
      `Pushing ${target} to ${secured.host} failed (unauthorized: authentication required); log in with the right credentials (ship login ${secured.host}) or pass auth.`,
    );
    const everything = JSON.stringify({
      message: pushError.message,
      stack: pushError.stack,
      events,
      cause: String(pushError.cause),
    });
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(Buffer.from(password).toString('base64'));
    expect(events.filter((event) => event.type === 'retry')).toEqual([]);
    expect((await servedDigest(secured.host, repoPart(target, secured.host), secured)).status).toBe(404);
  });

  test('no credentials for the htpasswd registry rejects as unauthorized too', async () => {
    const image = await smallImage();
    const error = await pushImage({
      image,
      tags: [ref(secured.host, 'ship-itg-noauth')],
      env: { HOME: root },
    }).catch((caught: unknown) => caught);
    expect((error as PushError).reason).toBe('UNAUTHORIZED');
  });

  test('credentials come from DOCKER_AUTH_CONFIG when none are passed', async () => {
    const image = await smallImage();
    const target = ref(secured.host, 'ship-itg-envauth');
    const authConfig = JSON.stringify({
      auths: { [secured.host]: { auth: Buffer.from(`${secured.username}:${secured.password}`).toString('base64') } },
    });
    const result = await pushImage({ image, tags: [target], env: { HOME: root, DOCKER_AUTH_CONFIG: authConfig } });
    expect(result.digest).toMatch(/^sha256:/);
  });

  test('an image the engine does not have rejects with PushError IMAGE_NOT_FOUND', async () => {
    const error = await pushImage({ image: `${uniqueName('ship-itg-ghost')}:1`, tags: [ref(plain, 'ship-itg-ghost')] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).code).toBe('IMAGE_NOT_FOUND');
  });

  test('a transient registry failure (503 on the manifest) is retried once, with one retry event, to the same digest', async () => {
    const image = await smallImage();
    const proxy = await startManifestFailingProxy(plain, 1);
    try {
      const target = ref(proxy.host, 'ship-itg-retry');
      const events: ProgressEvent[] = [];
      const result = await pushImage({
        image,
        tags: [target],
        retry: { baseDelayMs: 50 },
        onProgress: (event) => events.push(event),
      });
      const retries = events.filter((event) => event.type === 'retry');
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ phase: 'push', attempt: 1 });
      expect(retries[0]?.type === 'retry' && retries[0].reason).toContain('503 Service Unavailable');
      expect(proxy.failed()).toBe(1);
      expect(result.pushes[0]?.attempts).toBe(2);
      expect(await servedDigest(plain, repoPart(target, proxy.host))).toEqual({ status: 200, digest: result.digest });
    } finally {
      await proxy.stop();
    }
  });

  test('abort during a push rejects with AbortedError and the tag never appears in the registry', async () => {
    const image = await smallImage(60_000_000);
    const target = ref(plain, 'ship-itg-abortpush');
    const controller = new AbortController();
    let sawProgress = false;
    const pushing = pushImage({
      image,
      tags: [target],
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'layer' && event.status === 'Pushing' && !sawProgress) {
          sawProgress = true;
          controller.abort();
        }
      },
    });
    await expect(pushing).rejects.toBeInstanceOf(AbortedError);
    expect(sawProgress).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await servedDigest(plain, repoPart(target, plain))).status).toBe(404);
  });
});

describe('pullImage against the real registry', () => {
  // Classic builds here: BuildKit's build cache keeps a reference to the layer after the image is
  // removed, and these tests need the layer gone so that pulling downloads it again.
  test('pulls a pushed image back with layer progress and the same digest', async () => {
    const image = await smallImage(200_000, 'classic');
    const target = ref(plain, 'ship-itg-pull');
    const pushed = await pushImage({ image, tags: [target] });
    await removeImage(target, { force: true });
    expect(await inspectImage(image)).toBeUndefined();
    const events: ProgressEvent[] = [];
    const pulled = await pullImage({ image: target, onProgress: (event) => events.push(event) });
    expect(pulled.digest).toBe(pushed.digest);
    expect(pulled.imageId).toBe(image);
    expect(pulled.bytesDownloaded).toBeGreaterThan(200_000);
    expect(events.some((event) => event.type === 'layer' && event.phase === 'pull' && event.status === 'Pull complete')).toBe(
      true,
    );
  });

  test('a tag that does not exist rejects with RegistryError IMAGE_NOT_FOUND', async () => {
    const missing = `${plain}/${uniqueName('ship-itg-missing')}:1`;
    const error = await pullImage({ image: missing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('IMAGE_NOT_FOUND');
    expect((error as RegistryError).message).toMatch(
      new RegExp(`^Pulling ${missing} from ${plain} failed \\(.*manifest unknown.*\\); check the name and tag\\.$`),
    );
  });

  test('abort during a pull rejects with AbortedError and leaves no image behind', async () => {
    const image = await smallImage(60_000_000, 'classic');
    const target = ref(plain, 'ship-itg-abortpull');
    await pushImage({ image, tags: [target] });
    await removeImage(target, { force: true });
    expect(await inspectImage(image)).toBeUndefined();
    const controller = new AbortController();
    let sawDownload = false;
    const pulling = pullImage({
      image: target,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'layer' && event.status === 'Downloading' && !sawDownload) {
          sawDownload = true;
          controller.abort();
        }
      },
    });
    await expect(pulling).rejects.toBeInstanceOf(AbortedError);
    expect(sawDownload).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await inspectImage(target)).toBeUndefined();
  });
});

/**
 * An HTTP proxy on 127.0.0.1 in front of a registry that answers `503 Service Unavailable` to the
 * first `failures` manifest PUTs and forwards everything else untouched: a registry with a hiccup.
 * The engine treats 127.0.0.0/8 registries as plain HTTP, so it pushes through it directly.
 */
async function startManifestFailingProxy(upstream: string, failures: number) {
  const [upstreamHost, upstreamPort] = upstream.split(':') as [string, string];
  let failed = 0;
  const server: Server = createServer((incoming, outgoing) => {
    if (incoming.method === 'PUT' && /\/manifests\//.test(incoming.url ?? '') && failed < failures) {
      failed += 1;
      incoming.resume();
      outgoing.writeHead(503, { 'content-type': 'text/plain' }).end('upstream hiccup');
      return;
    }
    const forward = httpRequest(
      {
        host: upstreamHost === 'localhost' ? '127.0.0.1' : upstreamHost,
        port: Number(upstreamPort),
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    failed: () => failed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
