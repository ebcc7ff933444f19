import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.js';
import { formatImageRef, normalizeRegistry, parseImageRef, registryApiHost } from './image-ref.js';

describe('parseImageRef', () => {
  test.each([
    ['python', { registry: 'docker.io', repository: 'library/python' }],
    ['python:3.11-slim', { registry: 'docker.io', repository: 'library/python', tag: '3.11-slim' }],
    ['acme/app:1.2.3', { registry: 'docker.io', repository: 'acme/app', tag: '1.2.3' }],
    ['docker.io/library/python:3.11', { registry: 'docker.io', repository: 'library/python', tag: '3.11' }],
    ['index.docker.io/acme/app', { registry: 'docker.io', repository: 'acme/app' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5001/team/app:sha-abc1234', { registry: 'localhost:5001', repository: 'team/app', tag: 'sha-abc1234' }],
    ['ghcr.io/org/sub/app:latest', { registry: 'ghcr.io', repository: 'org/sub/app', tag: 'latest' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1',
      { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'app', tag: '1' },
    ],
    [
      `localhost:5001/app@sha256:${'a'.repeat(64)}`,
      { registry: 'localhost:5001', repository: 'app', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [
      `app:1@sha256:${'b'.repeat(64)}`,
      { registry: 'docker.io', repository: 'library/app', tag: '1', digest: `sha256:${'b'.repeat(64)}` },
    ],
    ['my_app-x.y__z:v1.0_rc-1', { registry: 'docker.io', repository: 'library/my_app-x.y__z', tag: 'v1.0_rc-1' }],
  ])('%s', (input, expected) => {
    expect(parseImageRef(input)).toEqual(expected);
  });

  test.each([
    ['', 'empty'],
    ['App:1', 'lower case'],
    ['app:', 'bad tag'],
    ['app:-x', 'bad tag'],
    ['app@sha256:abc', 'bad digest'],
    ['localhost:5001/', 'name is missing'],
    ['team//app', "bad name component ''"],
    ['app-:1', "bad name component 'app-'"],
    ['local_host:5001/app', 'bad registry host'],
  ])('rejects %j (%s)', (input, why) => {
    expect(() => parseImageRef(input)).toThrow(InvalidInputError);
    expect(() => parseImageRef(input)).toThrow(why);
  });
});

describe('formatImageRef', () => {
  test.each([
    ['python:3.11', {}, 'python:3.11'],
    ['python:3.11', { canonical: true }, 'docker.io/library/python:3.11'],
    ['acme/app', { defaultTag: true }, 'acme/app:latest'],
    ['localhost:5001/team/app:1', {}, 'localhost:5001/team/app:1'],
    [`localhost:5001/app@sha256:${'c'.repeat(64)}`, { defaultTag: true }, `localhost:5001/app@sha256:${'c'.repeat(64)}`],
  ])('%s %j -> %s', (input, options, expected) => {
    expect(formatImageRef(parseImageRef(input), options)).toBe(expected);
  });
});

describe('the registry HTTP view of a reference: registry, API host, repository', () => {
  test.each([
    ['python:3.11', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/python', tag: '3.11' }],
    ['index.docker.io/org/app', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'org/app' }],
    ['localhost:5001/team/app:1.0', { registry: 'localhost:5001', host: 'localhost:5001', repository: 'team/app', tag: '1.0' }],
    [
      `ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
      { registry: 'ghcr.io', host: 'ghcr.io', repository: 'org/app', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1',
      {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'app',
        tag: 'v1',
      },
    ],
  ])('%s', (ref, expected) => {
    const parsed = parseImageRef(ref);
    expect({ ...parsed, host: registryApiHost(parsed.registry) }).toEqual(expected);
  });

  test.each(['', 'Upper/Case', 'app:bad tag', 'app@sha256:short'])('rejects %j with a sentence that names the fix', (ref) => {
    expect(() => parseImageRef(ref)).toThrow(/; /);
  });
});

describe('normalizeRegistry', () => {
  test.each([
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['docker.io/v1', 'docker.io'],
    ['GHCR.io', 'ghcr.io'],
    ['http://localhost:5001/', 'localhost:5001'],
    ['localhost:5002', 'localhost:5002'],
    ['https://localhost:5002/v2/', 'localhost:5002'],
    ['  http://Registry.Example.com  ', 'registry.example.com'],
    ['index.docker.io/v1/', 'docker.io'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRegistry(input)).toBe(expected);
    expect(registryApiHost(input)).toBe(expected === 'docker.io' ? 'registry-1.docker.io' : expected);
  });
});
