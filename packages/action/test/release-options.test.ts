import { describe, expect, test } from 'vitest';
import type { Inputs } from '../src/inputs.js';
import { defaultCacheFrom, inputOverrides } from '../src/release-options.js';

// How the inputs merge with ship.yaml is the SDK's resolveReleaseOptions; option-parity.test.ts
// checks the action and the CLI agree. Here: what each input means.
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
    builder: undefined,
    secrets: [],
    ssh: [],
    cacheFrom: [],
    cacheTo: [],
    ...overrides,
  };
}

const run = { eventName: 'push', workspace: '/work/repo' };

test('empty inputs are not given, so ship.yaml decides', () => {
  expect(inputOverrides(inputs(), run)).toEqual({ buildArgs: {}, labels: {}, smoke: inputs().smoke, push: true });
});

test('paths are relative to the workspace', () => {
  expect(inputOverrides(inputs({ context: 'app', file: 'docker/Dockerfile.prod' }), run)).toMatchObject({
    context: '/work/repo/app',
    dockerfile: '/work/repo/docker/Dockerfile.prod',
  });
});

describe('push', () => {
  test.each([
    ['pull_request', 'auto', false],
    ['pull_request_target', 'auto', false],
    ['push', 'auto', true],
    ['pull_request', 'true', true],
    ['push', 'false', false],
  ] as const)('on %s with push: %s, push is %s', (eventName, push, expected) => {
    expect(inputOverrides(inputs({ push }), { ...run, eventName }).push).toBe(expected);
  });
});

test('BuildKit inputs become overrides; a secret file is workspace-relative; secrets keep their values for the session', () => {
  expect(
    inputOverrides(
      inputs({
        builder: 'buildkit',
        secrets: [
          { id: 'token', value: 'v' },
          { id: 'key', src: 'keys/k' },
        ],
        ssh: [{ id: 'default' }],
        cacheTo: ['inline'],
      }),
      run,
    ),
  ).toMatchObject({
    builder: 'buildkit',
    secrets: [
      { id: 'token', value: 'v' },
      { id: 'key', src: '/work/repo/keys/k' },
    ],
    ssh: [{ id: 'default' }],
    cacheTo: ['inline'],
  });
});

test("the default cache-from is each image's branch tag, then latest", () => {
  expect(defaultCacheFrom(['localhost:5001/app'], { branch: 'feature/login' })).toEqual([
    'localhost:5001/app:feature-login',
    'localhost:5001/app:latest',
  ]);
  expect(defaultCacheFrom(['a/x', 'b/x'], {})).toEqual(['a/x:latest', 'b/x:latest']);
});
