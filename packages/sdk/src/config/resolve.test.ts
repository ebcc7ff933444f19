import { describe, expect, test } from 'vitest';
import { parseShipConfig } from './load.js';
import { configDefaults } from './options.js';
import { buildSettings, type ReleaseOverrides, resolveReleaseOptions, tagPlanSettings } from './resolve.js';

const yaml = (text: string) => configDefaults(parseShipConfig(text, { path: '/repo/app/ship.yaml' }), { env: {} });
const at = { cwd: '/work' };

describe('resolveReleaseOptions', () => {
  test('nothing given: the context is the working directory, smoke on, push on', () => {
    expect(resolveReleaseOptions({}, {}, at)).toEqual({ context: '/work', image: [], smoke: {}, push: true });
  });

  test('ship.yaml alone: every key it has, paths resolved against the file', () => {
    const config = yaml(`
image: [ghcr.io/acme/app]
context: ..
dockerfile: docker/Dockerfile
target: runtime
platform: linux/amd64
buildArgs: { A: 1 }
labels: { team: web }
pull: true
noCache: true
registries: [{ registry: localhost:5001 }]
smoke: { port: 8000, path: /healthz, expectStatus: 204, expectBody: ok, timeout: 45s, env: { MODE: test } }
tags: { version: v1.2.3, rules: ['type=sha'], flavor: ['latest=false'], latest: false, floating: false, keepV: true }
`);
    expect(resolveReleaseOptions(config, {}, at)).toEqual({
      context: '/repo',
      image: ['ghcr.io/acme/app'],
      dockerfile: '/repo/app/docker/Dockerfile',
      target: 'runtime',
      platform: 'linux/amd64',
      buildArgs: { A: '1' },
      labels: { team: 'web' },
      pull: true,
      noCache: true,
      registries: [{ registry: 'localhost:5001' }],
      smoke: { port: 8000, path: '/healthz', expectStatus: 204, expectBody: 'ok', timeoutMs: 45_000, env: { MODE: 'test' } },
      version: 'v1.2.3',
      tagRules: ['type=sha'],
      flavor: ['latest=false'],
      latest: false,
      floating: false,
      keepV: true,
      push: true,
    });
  });

  test.each([
    ['a given value wins', { version: 'v2' }, 'tags: { version: v1 }', { version: 'v2' }],
    [
      'rules replace rules as a whole',
      { tagRules: ['type=raw,value=x'] },
      "tags: { rules: ['type=sha'] }",
      { tagRules: ['type=raw,value=x'] },
    ],
    ['the context given wins', { context: '/elsewhere' }, 'context: ..', { context: '/elsewhere' }],
    [
      'the Dockerfile is resolved against the context',
      { dockerfile: 'Dockerfile.prod' },
      'context: ..\ndockerfile: Dockerfile',
      { dockerfile: '/repo/Dockerfile.prod' },
    ],
    ['an absolute Dockerfile stays', { dockerfile: '/x/Dockerfile' }, '', { dockerfile: '/x/Dockerfile' }],
    ['images given replace ship.yaml’s', { image: ['b'] }, 'image: a', { image: ['b'] }],
    ['an image line with enable=false is left out', { image: ['b', 'name=c,enable=false'] }, '', { image: ['b'] }],
    [
      'build args and labels merge key by key, the given value winning',
      { buildArgs: { A: 'flag', C: '3' }, labels: { team: 'api' } },
      'buildArgs: { A: config, B: 2 }\nlabels: { team: web, tier: 1 }',
      { buildArgs: { A: 'flag', B: '2', C: '3' }, labels: { team: 'api', tier: '1' } },
    ],
    [
      'registries add up',
      { registries: [{ registry: 'ghcr.io' }] },
      'registries: [{ registry: localhost:5001 }]',
      { registries: [{ registry: 'localhost:5001' }, { registry: 'ghcr.io' }] },
    ],
    [
      'smoke settings merge field by field',
      { smoke: { port: 9000 } },
      'smoke: { port: 8000, path: /h }',
      { smoke: { port: 9000, path: '/h' } },
    ],
    [
      'the smoke container’s env merges',
      { smoke: { env: { B: 'flag', C: '3' } } },
      'smoke: { env: { A: 1, B: 2 } }',
      { smoke: { env: { A: '1', B: 'flag', C: '3' } } },
    ],
    ['an env alone does not turn smoke: false back on', { smoke: { env: { A: '1' } } }, 'smoke: false', { smoke: false }],
    ['smoke off when told', { smoke: { enabled: false } }, 'smoke: { port: 8000 }', { smoke: false }],
    ['ship.yaml’s smoke: false stays off', { smoke: {} }, 'smoke: false', { smoke: false }],
    ['a smoke setting turns it back on', { smoke: { port: 8000 } }, 'smoke: false', { smoke: { port: 8000 } }],
    ['enabled turns it back on', { smoke: { enabled: true } }, 'smoke: false', { smoke: {} }],
    ['push: false', { push: false }, '', { push: false }],
  ] satisfies [string, ReleaseOverrides, string, object][])('%s', (_name, overrides, text, expected) => {
    expect(resolveReleaseOptions(yaml(text), overrides, at)).toMatchObject(expected);
  });

  test('build.ssh in ship.yaml: key files and sockets are relative to the file, ~/ is left for the build', () => {
    const config = yaml(
      "build:\n  ssh: [default, 'github=keys/deploy_key', 'agent=/run/agent.sock', 'home=~/.ssh/id_ed25519']\n",
    );
    expect(config.ssh).toEqual([
      { id: 'default' },
      { id: 'github', paths: ['/repo/app/keys/deploy_key'] },
      { id: 'agent', paths: ['/run/agent.sock'] },
      { id: 'home', paths: ['~/.ssh/id_ed25519'] },
    ]);
  });

  test('no image anywhere: the adapter’s sentence, when it needs one', () => {
    expect(() => resolveReleaseOptions({}, {}, { ...at, missingImage: 'Pass --image.' })).toThrow('Pass --image.');
    expect(resolveReleaseOptions({}, {}, at).image).toEqual([]);
  });

  test('tagPlanSettings names them as planTags does', () => {
    expect(tagPlanSettings({ version: 'v1', tagRules: ['type=sha'], keepV: true })).toEqual({
      version: 'v1',
      rules: ['type=sha'],
      keepV: true,
    });
  });

  test('buildSettings keeps the set build keys and nothing else', () => {
    const settings = { context: '/app', image: ['app'], dockerfile: 'Dockerfile.prod', noCache: false, target: undefined };
    expect(buildSettings(settings)).toEqual({ dockerfile: 'Dockerfile.prod', noCache: false });
  });
});
