import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import {
  dockerfileSyntax,
  inlineCacheCanCrash,
  inlineCacheCrashWarning,
  parseCacheFrom,
  parseCacheTo,
  parseOutputSpec,
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
    ['id=API_TOKEN', { id: 'API_TOKEN' }],
    ['type=file,id=npmrc', { id: 'npmrc' }],
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
    expect(parseCacheTo('none')).toBe('none');
    expect(parseCacheTo('type=none')).toBe('none');
    expect(() => parseCacheTo('type=registry,ref=x')).toThrow('exports only inline cache; use --cache-to inline (or none).');
  });

  test.each([
    ['20.10.24+dfsg1', true],
    ['v20.10.0', true],
    ['22.06.0-beta.0', true],
    ['23.0.0', false],
    ['28.2.2', false],
    ['?', false],
    ['', false],
  ])('inline cache with cache-from can crash Docker %j: %s', (version, crashes) => {
    expect(inlineCacheCanCrash(version)).toBe(crashes);
  });

  test.each([
    // engine version, cacheFrom, cacheTo, warns
    ['20.10.24+dfsg1', ['localhost:5001/app:main'], ['inline'], true],
    ['20.10.7', ['a:1', 'a:latest'], ['inline'], true],
    ['19.03.15', ['a:1'], ['inline'], true],
    ['v20.10.0', ['a:1'], ['inline'], true],
    ['23.0.0', ['a:1'], ['inline'], false],
    ['24.0.7', ['a:1'], ['inline'], false],
    ['27.3.1', ['a:1'], ['inline'], false],
    ['20.10.24', [], ['inline'], false],
    ['20.10.24', undefined, ['inline'], false],
    ['20.10.24', ['a:1'], [], false],
    ['20.10.24', ['a:1'], undefined, false],
    ['?', ['a:1'], ['inline'], false],
    ['dev', ['a:1'], ['inline'], false],
  ] as const)('Docker %s, cache-from %j, cache-to %j: crash warning %s', (version, from, to, warns) => {
    const warning = inlineCacheCrashWarning(version, from, to);
    if (!warns) {
      expect(warning).toBeUndefined();
      return;
    }
    expect(warning).toBe(
      `cache-from together with cache-to inline can crash this engine (Docker ${version}): its BuildKit may kill dockerd with a stack overflow (moby/buildkit#1609) when a cache-from image's inline cache came from a long-lived engine; use cache-from images pushed from fresh CI runners, drop cache-from or cache-to inline, or upgrade to Docker 23 or later.`,
    );
  });

  test('cache-from: a reference, or type=registry,ref=', () => {
    expect(parseCacheFrom('localhost:5001/app:main')).toBe('localhost:5001/app:main');
    expect(parseCacheFrom('type=registry,ref=localhost:5001/app:latest')).toBe('localhost:5001/app:latest');
    expect(() => parseCacheFrom('type=gha')).toThrow(InvalidInputError);
  });
});

describe('--output as buildx spells it', () => {
  test.each([
    ['type=tar,dest=out.tar', { type: 'tar', dest: 'out.tar' }],
    ['type=tar,dest=-', { type: 'tar', dest: '-' }],
    ['type=tar', { type: 'tar', dest: '-' }],
    ['-', { type: 'tar', dest: '-' }],
    ['type=local,dest=dist', { type: 'local', dest: 'dist' }],
    ['dest=./out/dir, type=local', { type: 'local', dest: './out/dir' }],
    ['TYPE=tar,DEST=Out.tar', { type: 'tar', dest: 'Out.tar' }],
    ['./dist', { type: 'local', dest: './dist' }],
    ['/tmp/rootfs', { type: 'local', dest: '/tmp/rootfs' }],
  ])('--output %s', (spec, expected) => {
    expect(parseOutputSpec(spec)).toEqual(expected);
  });

  test.each([
    [
      '',
      'The --output value is empty; write type=tar,dest=FILE, type=local,dest=DIR, a directory path, or - for a tar on standard output.',
    ],
    [
      'out.tar',
      '--output out.tar would write a directory named out.tar (a bare path means type=local, as in buildx); write --output type=tar,dest=out.tar for a tar.',
    ],
    ['dest=out.tar', "The output 'dest=out.tar' names no type; write type=tar,dest=FILE or type=local,dest=DIR."],
    [
      'type=oci,dest=x.tar',
      "The output type 'oci' is not supported: this engine's BuildKit exports only type=tar and type=local; use one of them, or leave --output out to build an image.",
    ],
    [
      'type=registry',
      "The output type 'registry' is not supported: this engine's BuildKit exports only type=tar and type=local; use one of them, or leave --output out to build an image.",
    ],
    ['type=local', 'type=local needs a directory; write --output type=local,dest=DIR.'],
    [
      'type=local,dest=-',
      'type=local writes a directory and cannot go to standard output; write type=local,dest=DIR, or type=tar,dest=- for a tar on standard output.',
    ],
    ['type=tar,dest=', "The output 'type=tar,dest=' has an empty dest; write dest=FILE, or dest=- for standard output."],
    [
      'type=tar,dest=x.tar,compression=gzip',
      'The output option compression is not supported: type=tar takes only dest; remove it.',
    ],
    ['type=tar,x', "'type=tar,x' is not a valid --output value; write it as key=value pairs, e.g. type=tar,dest=out.tar."],
  ])('--output %j is refused in one sentence', (spec, message) => {
    expect(() => parseOutputSpec(spec)).toThrow(new InvalidInputError(message));
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
