import { configDefaults, parseShipConfig } from '@container-ship/sdk';
import { describe, expect, test } from 'vitest';
import type { Inputs } from '../src/inputs.js';
import { toReleaseOptions } from '../src/release-options.js';

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    context: undefined,
    file: undefined,
    images: [],
    tag: undefined,
    tagRules: [],
    flavor: [],
    labels: {},
    buildArgs: {},
    target: undefined,
    push: 'auto',
    registry: undefined,
    username: undefined,
    password: undefined,
    smoke: {
      enabled: undefined,
      port: undefined,
      path: undefined,
      expectStatus: undefined,
      expectBody: undefined,
      timeoutMs: undefined,
    },
    config: undefined,
    githubToken: undefined,
    ...overrides,
  };
}

function defaultsFrom(yaml: string) {
  return configDefaults(parseShipConfig(yaml, { path: '/work/repo/ship.yaml' }), { env: {} });
}

const run = { eventName: 'push', workspace: '/work/repo' };

test('inputs alone: paths resolved against the workspace, the rest left to the SDK', () => {
  expect(toReleaseOptions(inputs({ images: ['localhost:5002/app'], file: 'docker/Dockerfile.prod' }), {}, run)).toEqual({
    context: '/work/repo',
    image: ['localhost:5002/app'],
    dockerfile: 'docker/Dockerfile.prod',
    push: true,
    smoke: {},
    buildArgs: {},
    labels: {},
  });
});

test('ship.yaml fills what the inputs leave unset; set inputs win', () => {
  const defaults = defaultsFrom(`
image: ghcr.io/acme/app
context: service
target: runtime
buildArgs: { A: from-config, B: from-config }
smoke: { port: 8000, path: /healthz, timeout: 45s }
tags: { rules: ['type=semver,pattern={{version}}'], flavor: ['latest=false'] }
`);
  const options = toReleaseOptions(
    inputs({ buildArgs: { B: 'from-input' }, smoke: { ...inputs().smoke, port: 9000 }, tag: 'v2.0.0' }),
    defaults,
    run,
  );
  expect(options).toMatchObject({
    context: '/work/repo/service',
    image: ['ghcr.io/acme/app'],
    target: 'runtime',
    version: 'v2.0.0',
    buildArgs: { A: 'from-config', B: 'from-input' },
    smoke: { port: 9000, path: '/healthz', timeoutMs: 45_000 },
    tagRules: ['type=semver,pattern={{version}}'],
    flavor: ['latest=false'],
  });
});

describe('smoke on or off', () => {
  test.each([
    [undefined, 'smoke: false', false],
    [true, 'smoke: false', {}],
    [false, 'smoke: { port: 8000 }', false],
    [undefined, 'smoke: { port: 8000 }', { port: 8000 }],
    [undefined, 'image: x', {}],
  ])('smoke-test %s with %s', (enabled, yaml, expected) => {
    const options = toReleaseOptions(inputs({ images: ['x'], smoke: { ...inputs().smoke, enabled } }), defaultsFrom(yaml), run);
    expect(options.smoke).toEqual(expected);
  });
});

test.each([
  ['pull_request', 'auto', false],
  ['push', 'auto', true],
  ['pull_request', 'true', true],
] as const)('on %s with push: %s, push is %s', (eventName, push, expected) => {
  expect(toReleaseOptions(inputs({ images: ['x'], push }), {}, { ...run, eventName }).push).toBe(expected);
});

test('no image anywhere is an input error that names the fix', () => {
  expect(() => toReleaseOptions(inputs(), {}, run)).toThrow(
    'Input images is empty; set images: to the image to publish, such as ghcr.io/acme/app.',
  );
});

test('a Dockerfile outside the context is an input error', () => {
  expect(() => toReleaseOptions(inputs({ images: ['x'], context: 'app', file: 'other/Dockerfile' }), {}, run)).toThrow(
    /Input file \(\/work\/repo\/other\/Dockerfile\) is outside the build context \/work\/repo\/app/,
  );
});

describe('version', () => {
  test('without tag, ship.yaml version or rules it is left to the SDK, which reads the pushed tag', () => {
    expect(toReleaseOptions(inputs({ images: ['x'] }), {}, run).version).toBeUndefined();
  });

  test('an explicit tag or ship.yaml version is passed on, the input first', () => {
    expect(toReleaseOptions(inputs({ images: ['x'], tag: 'v9.0.0' }), { version: 'v8.0.0' }, run).version).toBe('v9.0.0');
    expect(toReleaseOptions(inputs({ images: ['x'] }), { version: 'v8.0.0' }, run).version).toBe('v8.0.0');
  });
});
