import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '@container-ship/test-utils';
import {
  makeTestCertificates,
  pushSyntheticImage,
  type RegistryProxy,
  type StartedRegistry,
  startRegistry,
  startRegistryProxy,
  startTokenServer,
  type TokenServer,
} from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Clock } from '../clock.js';
import type { ProgressEvent } from '../progress.js';
import { RegistryClient } from './client.js';
import { listTags } from './list-tags.js';
import { MEDIA_TYPES } from './media-types.js';
import { promote } from './promote.js';

// Retries wait on this clock, so flaky-network tests do not sleep for real.
const instantClock: Clock = { now: () => Date.now(), sleep: async () => {} };

const alice = { username: 'alice', password: `pw-${uniqueName('a')}` };
const reader = { username: 'reader', password: `pw-${uniqueName('r')}` };

let dir: string;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-registry-itg-'));
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function registry(options: Parameters<typeof startRegistry>[0] = {}): Promise<StartedRegistry> {
  const started = await startRegistry(options);
  stops.push(started.stop);
  return started;
}

async function captureError(promise: Promise<unknown>): Promise<Error & { code?: string; reason?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

describe('htpasswd basic auth', () => {
  let basic: StartedRegistry;
  beforeAll(async () => {
    basic = await registry({ htpasswd: [alice] });
  });

  test('pushes, lists and promotes with the right credentials', async () => {
    const image = await pushSyntheticImage(`${basic.host}/${uniqueName('basic')}/app:src`, { auth: alice });
    const result = await promote({ source: image.ref, tags: ['1.0.0', 'latest'], auth: alice });
    expect(result.digest).toBe(image.digest);
    expect((await listTags(image.ref, { auth: alice })).sort()).toEqual(['1.0.0', 'latest', 'src']);
  });

  test('a wrong password fails at once with the registry code and without the secret', async () => {
    const events: ProgressEvent[] = [];
    const wrong = { username: 'alice', password: 'not-the-password-123' };
    const error = await captureError(listTags(`${basic.host}/whatever/app`, { auth: wrong, onProgress: (e) => events.push(e) }));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toContain(basic.host);
    expect(error.message).not.toContain('not-the-password-123');
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
  });

  test('without auth, credentials come from DOCKER_AUTH_CONFIG as the docker CLI reads them', async () => {
    const env = {
      DOCKER_AUTH_CONFIG: JSON.stringify({
        auths: { [basic.host]: { auth: Buffer.from(`alice:${alice.password}`).toString('base64') } },
      }),
    };
    const image = await pushSyntheticImage(`${basic.host}/${uniqueName('env')}/app:src`, { auth: alice });
    const result = await promote({ source: image.ref, tags: ['ok'], env, configDir: join(dir, 'no-docker-config') });
    expect(result.refs).toEqual([image.ref.replace(':src', ':ok')]);
    expect((await listTags(image.ref, { env, configDir: join(dir, 'no-docker-config') })).sort()).toEqual(['ok', 'src']);
  });

  test('no credentials is UNAUTHORIZED too', async () => {
    const error = await captureError(listTags(`${basic.host}/whatever/app`));
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).toMatch(/ship login/);
  });
});

describe('Bearer token auth through our own token server', () => {
  let tokens: TokenServer;
  let bearer: StartedRegistry;
  const refreshToken = `refresh-${uniqueName('t')}`;
  beforeAll(async () => {
    tokens = await startTokenServer({
      dir,
      users: [alice, reader],
      refreshTokens: { [refreshToken]: 'alice' },
      grant: (user, scope) =>
        user === 'alice' ? scope.actions : user === 'reader' ? scope.actions.filter((a) => a === 'pull') : [],
    });
    stops.push(tokens.stop);
    bearer = await registry({ token: tokens });
  });

  test('pushes and promotes with a token per scope from the realm', async () => {
    const name = `${uniqueName('bearer')}/app`;
    const image = await pushSyntheticImage(`${bearer.host}/${name}:src`, { auth: alice, format: 'oci' });
    const result = await promote({ source: image.ref, tags: ['a', 'b', 'c'], auth: alice });
    expect(result.digest).toBe(image.digest);
    expect((await listTags(`${bearer.host}/${name}`, { auth: alice })).sort()).toEqual(['a', 'b', 'c', 'src']);
    const asked = tokens.requests.filter((r) => r.account === 'alice').flatMap((r) => r.scopes);
    expect(asked).toContain(`repository:${name}:pull,push`);
    expect(asked).toContain(`repository:${name}:pull`);
  });

  test('an OAuth2 refresh token (identitytoken) is exchanged by POST to the realm', async () => {
    const name = `${uniqueName('refresh')}/app`;
    const image = await pushSyntheticImage(`${bearer.host}/${name}:src`, { auth: { identitytoken: refreshToken } });
    expect(await listTags(`${bearer.host}/${name}`, { auth: { identitytoken: refreshToken } })).toEqual(['src']);
    expect(tokens.requests.some((r) => r.method === 'POST' && r.account === 'alice' && r.status === 200)).toBe(true);
    expect(image.digest).toMatch(/^sha256:/);
  });

  test('a pull-only account cannot push: it fails at once with the registry message, no retries', async () => {
    const name = `${uniqueName('ro')}/app`;
    const image = await pushSyntheticImage(`${bearer.host}/${name}:src`, { auth: alice });
    const events: ProgressEvent[] = [];
    const error = await captureError(
      promote({ source: image.ref, tags: ['v2'], auth: reader, onProgress: (e) => events.push(e) }),
    );
    expect(['REGISTRY_UNAUTHORIZED', 'REGISTRY_DENIED']).toContain(error.code);
    expect(error.message).toContain(`${name}:v2`);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(await listTags(`${bearer.host}/${name}`, { auth: reader })).toEqual(['src']);
  });

  test('a wrong password is refused by the token server', async () => {
    const error = await captureError(
      listTags(`${bearer.host}/x/app`, { auth: { username: 'alice', password: 'wrong-secret-456' } }),
    );
    expect(error.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error.message).not.toContain('wrong-secret-456');
  });
});

describe('TLS with a self-signed CA', () => {
  let secure: StartedRegistry;
  let certs: Awaited<ReturnType<typeof makeTestCertificates>>;
  beforeAll(async () => {
    const certDir = join(dir, 'tls');
    await mkdir(certDir);
    certs = await makeTestCertificates(certDir);
    secure = await registry({ tls: { certificate: certs.cert, key: certs.key } });
  });

  test('works when the CA is given as a path', async () => {
    const image = await pushSyntheticImage(`${secure.host}/${uniqueName('tls')}/app:1`, { caCert: certs.ca });
    expect(await listTags(image.ref, { caCert: certs.ca })).toEqual(['1']);
  });

  test('works with the CA from an engine-style certs.d directory', async () => {
    const certsDir = join(dir, 'certs.d');
    await mkdir(join(certsDir, secure.host), { recursive: true });
    await writeFile(join(certsDir, secure.host, 'ca.crt'), await import('node:fs/promises').then((fs) => fs.readFile(certs.ca)));
    const image = await pushSyntheticImage(`${secure.host}/${uniqueName('certsd')}/app:1`, { caCert: certs.ca });
    expect(await listTags(image.ref, { certsDir })).toEqual(['1']);
  });

  test('fails clearly, naming --ca-cert, without the CA', async () => {
    const error = await captureError(listTags(`${secure.host}/any/app`, { certsDir: join(dir, 'no-such-certs.d') }));
    expect(error.code).toBe('REGISTRY_TLS');
    expect(error.message).toContain('--ca-cert');
    expect(error.message).toContain(secure.host);
  });

  test('a CA that did not sign the certificate fails clearly too', async () => {
    const otherDir = join(dir, 'other-ca');
    await mkdir(otherDir);
    const other = await makeTestCertificates(otherDir, 'some other CA');
    const error = await captureError(listTags(`${secure.host}/any/app`, { caCert: other.ca }));
    expect(error.code).toBe('REGISTRY_TLS');
    expect(error.message).toContain(other.ca);
  });
});

describe('promotion and copy, counted by a proxy', () => {
  let plain: StartedRegistry;
  let other: StartedRegistry;
  let counting: RegistryProxy;
  beforeAll(async () => {
    plain = await registry();
    other = await registry({ htpasswd: [alice] });
    counting = await startRegistryProxy({ upstream: plain.url });
    stops.push(counting.stop);
  });

  test.each(['docker', 'oci', 'oci-index', 'docker-list'] as const)(
    'promoting a %s image adds 3 tags, uploads 0 blob bytes, keeps the digest',
    async (format) => {
      const name = `${uniqueName('promote')}/app`;
      const image = await pushSyntheticImage(`${counting.host}/${name}:sha-abc123`, { format });
      const before = counting.requests.length;
      const uploadedBefore = counting.blobBytesUploaded();
      const result = await promote({ source: image.ref, tags: ['1.2.3', '1.2', 'latest'] });
      const seen = counting.requests.slice(before);
      expect(counting.blobBytesUploaded() - uploadedBefore).toBe(0);
      expect(result.bytesUploaded).toBe(0);
      expect(result.digest).toBe(image.digest);
      expect(result.refs).toEqual(['1.2.3', '1.2', 'latest'].map((t) => `${counting.host}/${name}:${t}`));
      expect(seen.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual(
        ['1.2.3', '1.2', 'latest'].map((t) => `/v2/${name}/manifests/${t}`),
      );
      expect(seen.some((r) => r.path.includes('/blobs/'))).toBe(false);
      const client = new RegistryClient(counting.host);
      try {
        for (const tag of ['1.2.3', '1.2', 'latest']) {
          const manifest = await client.getManifest(name, tag);
          expect(manifest.digest).toBe(image.digest);
          expect(manifest.mediaType).toBe(image.mediaType);
        }
      } finally {
        await client.close();
      }
    },
  );

  test('the version shortcut v1.2.3 adds 1.2.3, 1.2, 1 and latest', async () => {
    const name = `${uniqueName('shortcut')}/app`;
    const image = await pushSyntheticImage(`${plain.host}/${name}:sha-0f1e2d3`);
    const result = await promote({ source: image.ref, tags: [], version: 'v1.2.3' });
    expect(result.refs).toEqual(['1.2.3', '1.2', '1', 'latest'].map((t) => `${plain.host}/${name}:${t}`));
    expect(result.bytesUploaded).toBe(0);
  });

  test('a copy to another repository on the same registry mounts every blob (0 bytes)', async () => {
    const image = await pushSyntheticImage(`${counting.host}/${uniqueName('mount-src')}/app:1`, { format: 'oci-index' });
    const destination = `${counting.host}/${uniqueName('mount-dst')}/app`;
    const uploadedBefore = counting.blobBytesUploaded();
    const before = counting.requests.length;
    const result = await promote({ source: image.ref, destination, tags: ['1', 'stable'] });
    expect(result.digest).toBe(image.digest);
    expect(result.bytesUploaded).toBe(0);
    expect(counting.blobBytesUploaded() - uploadedBefore).toBe(0);
    // Two platform manifests, each with a config and two layers.
    expect(counting.requests.slice(before).filter((r) => r.path.includes('mount=')).length).toBe(6);
    expect((await listTags(destination)).sort()).toEqual(['1', 'stable']);
  });

  test('a copy between two registries streams the blobs once, then nothing', async () => {
    const image = await pushSyntheticImage(`${plain.host}/${uniqueName('copy')}/app:1.0`, {
      format: 'docker-list',
      layerSizes: [300_000, 5_000],
    });
    const destination = `${other.host}/${uniqueName('copied')}/app`;
    const events: ProgressEvent[] = [];
    const first = await promote({
      source: image.ref,
      destination,
      tags: ['1.0', 'latest'],
      auth: alice,
      onProgress: (e) => events.push(e),
    });
    expect(first.digest).toBe(image.digest);
    expect(first.bytesUploaded).toBe(image.blobBytes);
    expect(events.filter((e) => e.type === 'layer' && e.status === 'Pushed').length).toBe(6);
    const again = await promote({ source: image.ref, destination, tags: ['1.0.1'], auth: alice });
    expect(again.bytesUploaded).toBe(0);
    const copied = new RegistryClient(other.host, { auth: alice });
    try {
      const manifest = await copied.getManifest(destination.slice(other.host.length + 1), '1.0.1');
      expect(manifest.digest).toBe(image.digest);
      expect(manifest.mediaType).toBe(MEDIA_TYPES.dockerManifestList);
    } finally {
      await copied.close();
    }
  });

  test('chunked uploads (PATCH ... PUT) give the same digest', async () => {
    const image = await pushSyntheticImage(`${plain.host}/${uniqueName('chunk-src')}/app:1`, { layerSizes: [250_000] });
    const destination = `${other.host}/${uniqueName('chunked')}/app`;
    const result = await promote({ source: image.ref, destination, tags: ['1'], auth: alice, chunkSize: 64 * 1024 });
    expect(result.digest).toBe(image.digest);
    expect(result.bytesUploaded).toBe(image.blobBytes);
  });

  test('an unknown source tag fails with MANIFEST_UNKNOWN and writes nothing', async () => {
    const name = `${uniqueName('missing')}/app`;
    await pushSyntheticImage(`${plain.host}/${name}:exists`);
    const error = await captureError(promote({ source: `${plain.host}/${name}:nope`, tags: ['x'] }));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(error.message).toContain(`${name}:nope`);
    expect(await listTags(`${plain.host}/${name}`)).toEqual(['exists']);
  });

  test('listTags follows Link pagination and returns [] for a repository that does not exist', async () => {
    const name = `${uniqueName('paged')}/app`;
    const image = await pushSyntheticImage(`${plain.host}/${name}:t0`);
    await promote({ source: image.ref, tags: ['t1', 't2', 't3', 't4'] });
    const client = new RegistryClient(plain.host);
    try {
      const before = client.requests;
      expect((await client.listTags(name, 2)).sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
      expect(client.requests - before).toBe(3);
    } finally {
      await client.close();
    }
    expect(await listTags(`${plain.host}/${uniqueName('never')}/app`)).toEqual([]);
  });
});

describe('a flaky network: 30% of connections reset, 503 now and then', () => {
  test('a copy through the flaky proxy completes with the same digest as a clean one', async () => {
    const clean = await registry();
    const target = await registry();
    const flaky = await startRegistryProxy({
      upstream: target.url,
      resetRate: 0.3,
      errorRate: 0.1,
      seed: 42,
      lifetimeMs: 120_000,
    });
    stops.push(flaky.stop);
    const image = await pushSyntheticImage(`${clean.host}/${uniqueName('flaky-src')}/app:1`, {
      format: 'oci-index',
      layerSizes: [200_000, 30_000, 1_000],
    });
    const events: ProgressEvent[] = [];
    const name = `${uniqueName('flaky')}/app`;
    const result = await promote({
      source: image.ref,
      destination: `${flaky.host}/${name}`,
      tags: ['1', 'latest'],
      clock: instantClock,
      retry: { attempts: 6 },
      onProgress: (e) => events.push(e),
    });
    expect(result.digest).toBe(image.digest);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThanOrEqual(flaky.requests.filter((r) => r.outcome !== 'forwarded').length);
    // Bounded: every request fails at most twice, so the run stays within a small multiple of a clean one.
    expect(flaky.requests.length).toBeLessThan(200);
    const reread = new RegistryClient(target.host);
    try {
      expect((await reread.listTags(name)).sort()).toEqual(['1', 'latest']);
      expect((await reread.getManifest(name, 'latest')).digest).toBe(image.digest);
    } finally {
      await reread.close();
    }
  });
});
