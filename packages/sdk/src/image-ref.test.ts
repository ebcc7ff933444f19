import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.js';
import { formatImageRef, parseImageRef } from './image-ref.js';

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
