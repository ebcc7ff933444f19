import { describe, expect, test } from 'vitest';
import { buildInputs, configDirs, imagesFrom, tagInputs } from './inputs.js';

describe('flags over ship.yaml', () => {
  test.each([
    ['no flags: the config', {}, { version: 'v1', tagRules: ['type=sha'] }, { version: 'v1', rules: ['type=sha'] }],
    ['a flag wins', { tag: 'v2' }, { version: 'v1' }, { version: 'v2' }],
    [
      'rules replace rules as a whole',
      { rule: ['type=raw,value=x'] },
      { tagRules: ['type=sha'] },
      { rules: ['type=raw,value=x'] },
    ],
    [
      'latest/floating/keepV come from the config',
      {},
      { latest: false, floating: false, keepV: true },
      { latest: false, floating: false, keepV: true },
    ],
  ])('tagInputs: %s', (_name, flags, config, expected) => {
    expect(tagInputs(flags, config)).toEqual(expected);
  });

  test.each([
    ['nothing given', {}, {}, {}],
    [
      'build args and labels merge key by key, the flag winning',
      { buildArg: { A: 'flag', C: '3' }, label: { team: 'web' } },
      { buildArgs: { A: 'config', B: '2' } },
      { buildArgs: { A: 'flag', B: '2', C: '3' }, labels: { team: 'web' } },
    ],
    ['--no-cache (cache: false) means noCache', { cache: false }, { noCache: false }, { noCache: true }],
    ['without --no-cache the config decides', { cache: true }, { noCache: true }, { noCache: true }],
    [
      '--file and --target win',
      { file: 'Dockerfile.prod', target: 'runtime' },
      { dockerfile: 'Dockerfile', target: 'test' },
      { dockerfile: 'Dockerfile.prod', target: 'runtime' },
    ],
  ])('buildInputs: %s', (_name, flags, config, expected) => {
    expect(buildInputs(flags, config)).toEqual(expected);
  });

  test('imagesFrom: the flag, else the config, else a clear error when required', () => {
    expect(imagesFrom({ image: ['a'] }, { image: ['b'] }, true)).toEqual(['a']);
    expect(imagesFrom({}, { image: ['b'] }, true)).toEqual(['b']);
    expect(imagesFrom({}, {}, false)).toBeUndefined();
    expect(() => imagesFrom({}, {}, true)).toThrow(/^No image name was given; pass --image NAME/);
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
