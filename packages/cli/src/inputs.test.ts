import { describe, expect, test } from 'vitest';
import { buildOverrides, configDirs, tagOverrides } from './inputs.js';

// How flags merge with ship.yaml is the SDK's resolveReleaseOptions (config/resolve.test.ts);
// the CLI only says what each flag means.
describe('flags in SDK terms', () => {
  test('tag flags', () => {
    expect(tagOverrides({})).toEqual({});
    expect(tagOverrides({ image: ['a'], tag: 'v1', rule: ['type=sha'], flavor: ['latest=false'] })).toEqual({
      image: ['a'],
      version: 'v1',
      tagRules: ['type=sha'],
      flavor: ['latest=false'],
    });
  });

  test.each([
    // commander always sets `cache` (true unless --no-cache).
    ['nothing given', { cache: true }, {}],
    ['--no-cache (cache: false) means noCache', { cache: false }, { noCache: true }],
    ['without --no-cache ship.yaml decides', { cache: true }, {}],
    [
      'the rest under their SDK names',
      {
        cache: true,
        file: 'Dockerfile.prod',
        target: 'runtime',
        buildArg: { A: '1' },
        label: { team: 'web' },
        pull: true as const,
        platform: 'linux/amd64',
      },
      {
        dockerfile: 'Dockerfile.prod',
        target: 'runtime',
        buildArgs: { A: '1' },
        labels: { team: 'web' },
        pull: true,
        platform: 'linux/amd64',
      },
    ],
  ])('build flags: %s', (_name, flags, expected) => {
    expect(buildOverrides(flags)).toEqual(expected);
  });

  test.each([
    ['/app', undefined, ['/app']],
    ['/app', 'Dockerfile', ['/app', '/app']],
    ['/app', 'docker/Dockerfile.prod', ['/app', '/app/docker']],
    ['/app', '/elsewhere/Dockerfile', ['/app', '/elsewhere']],
  ])('configDirs(%s, %s)', (context, file, dirs) => {
    expect(configDirs(context, file)).toEqual(dirs);
  });
});
