import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import {
  dockerfileSyntax,
  parseCacheFrom,
  parseCacheTo,
  parseSecretSpec,
  parseSshSpec,
  samePlatform,
  unusedBuildArgWarning,
} from './build-options.js';

describe('BuildKit inputs as buildx spells them', () => {
  test.each([
    ['id=token,env=API_TOKEN', { id: 'token', env: 'API_TOKEN' }],
    ['id=npmrc,src=/home/me/.npmrc', { id: 'npmrc', src: '/home/me/.npmrc' }],
    ['id=npmrc,source=.npmrc', { id: 'npmrc', src: '.npmrc' }],
    ['id=token,type=env,src=API_TOKEN', { id: 'token', env: 'API_TOKEN' }],
    ['id=API_TOKEN', { id: 'API_TOKEN', env: 'API_TOKEN' }],
  ])('--secret %s', (spec, expected) => {
    expect(parseSecretSpec(spec)).toEqual(expected);
  });

  test.each(['env=X', 'id=,env=X', 'token', 'id=a b,env=X'])('--secret %s is refused in one sentence', (spec) => {
    expect(() => parseSecretSpec(spec)).toThrow(InvalidInputError);
  });

  test.each([
    ['default', { id: 'default' }],
    ['default=/tmp/agent.sock', { id: 'default', paths: ['/tmp/agent.sock'] }],
    ['github=/run/gh.sock', { id: 'github', paths: ['/run/gh.sock'] }],
    ['default=/home/me/.ssh/id_ed25519', { id: 'default', paths: ['/home/me/.ssh/id_ed25519'] }],
    ['deploy=keys/a, keys/b', { id: 'deploy', paths: ['keys/a', 'keys/b'] }],
  ])('--ssh %s', (spec, expected) => {
    expect(parseSshSpec(spec)).toEqual(expected);
  });

  test.each(['', 'id=', 'a=/x,', '=/x', 'a b=/x'])('--ssh %j is refused', (spec) => {
    expect(() => parseSshSpec(spec)).toThrow(InvalidInputError);
  });

  test('cache-to: only inline exists on this engine', () => {
    expect(parseCacheTo('inline')).toBe('inline');
    expect(parseCacheTo('type=inline')).toBe('inline');
    expect(() => parseCacheTo('type=registry,ref=x')).toThrow('exports only inline cache; use --cache-to inline.');
  });

  test('cache-from: a reference, or type=registry,ref=', () => {
    expect(parseCacheFrom('localhost:5001/app:main')).toBe('localhost:5001/app:main');
    expect(parseCacheFrom('type=registry,ref=localhost:5001/app:latest')).toBe('localhost:5001/app:latest');
    expect(() => parseCacheFrom('type=gha')).toThrow(InvalidInputError);
  });
});

describe('what BuildKit does not say, derived from the Dockerfile', () => {
  test('unused build args, leaving the predefined ones alone', () => {
    expect(unusedBuildArgWarning({ A: '1', HTTP_PROXY: 'x', BUILDKIT_INLINE_CACHE: '1', B: '2' }, new Set(['A']))).toBe(
      'One or more build-args [B] were not consumed',
    );
    expect(unusedBuildArgWarning({ A: '1' }, new Set(['A']))).toBeUndefined();
  });

  test.each([
    ['# syntax=docker/dockerfile:1.4\nFROM x\n', 'docker/dockerfile:1.4'],
    ['# escape=`\n#syntax = docker/dockerfile:1\nFROM x\n', 'docker/dockerfile:1'],
    ['FROM x\n# syntax=docker/dockerfile:1\n', undefined],
    ['# just a comment\nFROM x\n', undefined],
  ])('syntax line of %j', (text, expected) => {
    expect(dockerfileSyntax(text)).toBe(expected);
  });

  test.each([
    ['linux/amd64', 'linux/amd64', true],
    ['linux/amd64/v2', 'linux/amd64', true],
    ['linux', 'linux/amd64', true],
    ['linux/arm64', 'linux/amd64', false],
    ['windows/amd64', 'linux/amd64', false],
  ])('platform %s on a %s engine: %s', (requested, engine, same) => {
    expect(samePlatform(requested, engine)).toBe(same);
  });
});
