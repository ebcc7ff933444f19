import { describe, expect, test } from 'vitest';
import { RegistryError } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import { withRetry } from '../retry.js';
import { parseChallenges } from './challenge.js';
import { nextLink } from './client.js';
import { classifyRegistryError, parseRetryAfter, registryErrorFromResponse } from './errors.js';
import { manifestContent } from './media-types.js';
import { planPromotion } from './promote.js';
import { detectProvider, parseEcrHost } from './providers/detect.js';
import { decodeEcrToken } from './providers/ecr.js';
import { importOptional } from './providers/optional-import.js';
import { dockerConfigKey } from './store-credentials.js';

describe('parseChallenges', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/python:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://ghcr.io/token',
            service: 'ghcr.io',
            scope: 'repository:o/a:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'Bearer realm="r",scope="repository:a:pull repository:b:pull"',
      [{ scheme: 'bearer', params: { realm: 'r', scope: 'repository:a:pull repository:b:pull' } }],
    ],
    [
      'Basic realm="x", Bearer realm="y"',
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'y' } },
      ],
    ],
    ['Negotiate abc', []],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  test('several header values', () => {
    expect(parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.scheme)).toEqual(['basic', 'bearer']);
  });
});

describe('classifyRegistryError', () => {
  const status = (code: number, reason?: string, retryAfter?: string) =>
    registryErrorFromResponse({
      registry: 'r.example.com',
      method: 'PUT',
      subject: 'r.example.com/app:1',
      status: code,
      body: reason ? JSON.stringify({ errors: [{ code: reason, message: reason.toLowerCase() }] }) : '',
      retryAfter,
      now: 0,
    });
  const network = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

  test.each([
    ['HTTP 408', status(408), true],
    ['HTTP 429', status(429, 'TOOMANYREQUESTS'), true],
    ['HTTP 500', status(500), true],
    ['HTTP 502', status(502), true],
    ['HTTP 503', status(503), true],
    ['HTTP 504', status(504), true],
    ['BLOB_UPLOAD_UNKNOWN', status(404, 'BLOB_UPLOAD_UNKNOWN'), true],
    ['BLOB_UPLOAD_INVALID', status(400, 'BLOB_UPLOAD_INVALID'), true],
    ['ECONNRESET', network('ECONNRESET'), true],
    ['undici socket closed', network('UND_ERR_SOCKET'), true],
    ['wrapped reset', new RegistryError('failed', { cause: network('ECONNRESET') }), true],
    [
      'engine: connection reset by peer',
      new Error('Put "http://127.0.0.1:5100/v2/a/blobs/uploads/x": read tcp: connection reset by peer'),
      true,
    ],
    ['engine: unexpected EOF', new Error('unexpected EOF'), true],
    ['engine: 503', new Error('received unexpected HTTP status: 503 Service Unavailable'), true],
    ['engine: blob upload unknown', new Error('blob upload unknown'), true],
    ['engine: blob upload invalid', new Error('blob upload invalid: blob upload invalid'), true],
    ['engine: 500 without a body', new Error('received unexpected HTTP status: 500 Internal Server Error'), true],
    ['engine: connection closed', new Error('Put "http://127.0.0.1:5100/v2/a/manifests/1": connection closed'), true],
    ['engine: connection refused', new Error('dial tcp 127.0.0.1:5999: connect: connection refused'), false],
    ['engine: toomanyrequests', new Error('toomanyrequests: You have reached your pull rate limit'), true],
    ['HTTP 401', status(401, 'UNAUTHORIZED'), false],
    ['HTTP 403 DENIED', status(403, 'DENIED'), false],
    ['NAME_UNKNOWN', status(404, 'NAME_UNKNOWN'), false],
    ['MANIFEST_UNKNOWN', status(404, 'MANIFEST_UNKNOWN'), false],
    ['HTTP 400 MANIFEST_INVALID', status(400, 'MANIFEST_INVALID'), false],
    ['ECONNREFUSED', network('ECONNREFUSED'), false],
    ['engine: unauthorized', new Error('unauthorized: authentication required'), false],
    ['engine: denied', new Error('denied: requested access to the resource is denied'), false],
  ])('%s -> retry %s', (_name, error, retry) => {
    expect(classifyRegistryError(error).retry).toBe(retry);
  });

  test('429 carries its Retry-After as the delay', () => {
    expect(classifyRegistryError(status(429, 'TOOMANYREQUESTS', '7'))).toMatchObject({ retry: true, retryAfterMs: 7000 });
  });

  test('withRetry waits what Retry-After says, one retry event each, on the injected clock', async () => {
    const slept: number[] = [];
    const clock = { now: () => 0, sleep: async (ms: number) => void slept.push(ms) };
    const retries: string[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw status(429, 'TOOMANYREQUESTS', '3');
        if (calls === 2) throw status(503);
        return 'ok';
      },
      { classify: classifyRegistryError, clock, random: () => 0.5, onRetry: (r) => retries.push(r.reason) },
    );
    expect(result).toBe('ok');
    expect(slept[0]).toBe(3000);
    expect(retries).toEqual(['HTTP 429 TOOMANYREQUESTS', 'HTTP 503']);
  });
});

describe('registryErrorFromResponse', () => {
  test.each([
    [401, 'UNAUTHORIZED', 'REGISTRY_UNAUTHORIZED', /ship login r\.example\.com/],
    [403, 'DENIED', 'REGISTRY_DENIED', /may push/],
    [404, 'NAME_UNKNOWN', 'REGISTRY_NAME_UNKNOWN', /check the image name/],
    [404, 'MANIFEST_UNKNOWN', 'IMAGE_NOT_FOUND', /push it first/],
    [503, undefined, 'REGISTRY_ERROR', /retry later/],
  ])('%i %s -> %s', (statusCode, reason, code, fix) => {
    const error = registryErrorFromResponse({
      registry: 'r.example.com',
      method: 'PUT',
      subject: 'r.example.com/app:1',
      status: statusCode,
      body: reason ? JSON.stringify({ errors: [{ code: reason, message: 'the registry said so' }] }) : 'not json',
      now: 0,
    });
    expect(error.code).toBe(code);
    expect(error.message).toMatch(fix);
    if (reason) expect(error.message).toContain(`${reason}: the registry said so`);
    expect(error.message.endsWith('.')).toBe(true);
  });
});

test.each([
  ['5', 5000],
  ['0', 0],
  ['Thu, 01 Jan 1970 00:00:10 GMT', 10_000],
  ['soon', undefined],
  [undefined, undefined],
])('parseRetryAfter(%j)', (value, expected) => {
  expect(parseRetryAfter(value, 0)).toBe(expected);
});

test.each([
  ['</v2/app/tags/list?n=2&last=b>; rel="next"', '/v2/app/tags/list?n=2&last=b'],
  ['<https://r/v2/x?last=1>; rel=next', 'https://r/v2/x?last=1'],
  ['<https://r/v2/x>; rel="prev"', undefined],
  [undefined, undefined],
])('nextLink(%j)', (link, expected) => {
  expect(nextLink(link)).toBe(expected);
});

describe('detectProvider', () => {
  test.each([
    ['docker.io', 'dockerhub'],
    ['index.docker.io', 'dockerhub'],
    ['registry-1.docker.io', 'dockerhub'],
    ['ghcr.io', 'ghcr'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'ecr'],
    ['public.ecr.aws', 'ecr-public'],
    ['myregistry.azurecr.io', 'acr'],
    ['europe-west1-docker.pkg.dev', 'gar'],
    ['gcr.io', 'gcr'],
    ['eu.gcr.io', 'gcr'],
    ['localhost:5002', 'generic'],
    ['registry.example.com', 'generic'],
    ['https://ghcr.io/', 'ghcr'],
  ])('%s -> %s', (host, provider) => {
    expect(detectProvider(host)).toBe(provider);
  });

  test('the region of an ECR host', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(parseEcrHost('ghcr.io')).toBeUndefined();
  });
});

test('decodeEcrToken splits AWS:<password> at the first colon', () => {
  expect(decodeEcrToken(Buffer.from('AWS:pass:with:colons').toString('base64'))).toEqual({
    username: 'AWS',
    password: 'pass:with:colons',
  });
  expect(() => decodeEcrToken(Buffer.from('garbage').toString('base64'))).toThrow(/not user:password/);
});

test('a missing optional SDK is MISSING_DEPENDENCY naming the package', async () => {
  const importer = async () => {
    throw Object.assign(new Error("Cannot find package '@aws-sdk/client-ecr'"), { code: 'ERR_MODULE_NOT_FOUND' });
  };
  await expect(importOptional('@aws-sdk/client-ecr', 'Logging in to Amazon ECR', importer)).rejects.toMatchObject({
    code: 'MISSING_DEPENDENCY',
    message:
      "Logging in to Amazon ECR needs the optional package @aws-sdk/client-ecr; install it with 'npm install @aws-sdk/client-ecr'.",
  });
});

test.each([
  ['docker.io', 'https://index.docker.io/v1/'],
  ['index.docker.io', 'https://index.docker.io/v1/'],
  ['ghcr.io', 'ghcr.io'],
  ['localhost:5002', 'localhost:5002'],
])('dockerConfigKey(%s)', (registry, key) => {
  expect(dockerConfigKey(registry)).toBe(key);
});

describe('planPromotion', () => {
  const source = parseImageRef('localhost:5001/app:sha-abc');
  test.each([
    [['1.2.3', '1.2', '1.2.3'], undefined, [{ repo: 'localhost:5001/app', tags: ['1.2.3', '1.2'] }]],
    [['1'], 'localhost:5002/prod/app', [{ repo: 'localhost:5002/prod/app', tags: ['1'] }]],
    [
      ['latest', 'ghcr.io/org/app:1', 'ghcr.io/org/app:latest'],
      undefined,
      [
        { repo: 'localhost:5001/app', tags: ['latest'] },
        { repo: 'ghcr.io/org/app', tags: ['1', 'latest'] },
      ],
    ],
  ])('%j to %s', (tags, destination, expected) => {
    const plan = planPromotion(source, tags, destination).map((t) => ({
      repo: `${t.repo.registry}/${t.repo.repository}`,
      tags: t.tags,
    }));
    expect(plan).toEqual(expected);
  });

  test.each([
    [[], undefined, /--tag/],
    [['1'], 'localhost:5002/app:1', /names a tag or digest/],
    [['ghcr.io/org/app'], undefined, /names no tag/],
  ])('%j to %s is refused', (tags, destination, message) => {
    expect(() => planPromotion(source, tags, destination)).toThrow(message);
  });
});

test('manifestContent lists platform manifests of an index and the blobs of an image, leaving foreign layers out', () => {
  const index = { manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:1', size: 10 }] };
  expect(manifestContent(JSON.stringify(index))).toEqual({ manifests: index.manifests, blobs: [] });
  const image = {
    config: { digest: 'sha256:c', size: 1 },
    layers: [
      { digest: 'sha256:l1', size: 2 },
      { digest: 'sha256:win', size: 3, urls: ['https://mcr.microsoft.com/x'] },
    ],
  };
  expect(manifestContent(JSON.stringify(image)).blobs.map((b) => b.digest)).toEqual(['sha256:c', 'sha256:l1']);
});
