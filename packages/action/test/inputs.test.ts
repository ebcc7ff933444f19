import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  getDeployInputs,
  getInputs,
  parseImageList,
  parseKeyValues,
  parseLines,
  parsePort,
  parsePushMode,
  parseSeconds,
  parseSmokePath,
  parseStatus,
  secretValues,
  shouldPush,
} from '../src/inputs.js';

describe('list inputs', () => {
  test.each([
    ['ghcr.io/acme/app', ['ghcr.io/acme/app']],
    ['ghcr.io/acme/app,docker.io/acme/app', ['ghcr.io/acme/app', 'docker.io/acme/app']],
    ['ghcr.io/acme/app\n  docker.io/acme/app  \n', ['ghcr.io/acme/app', 'docker.io/acme/app']],
    ['a, b\nc', ['a', 'b', 'c']],
    ['# registries\nghcr.io/acme/app\n\n', ['ghcr.io/acme/app']],
    ['', []],
    // metadata-action's image lines with attributes stay whole; the SDK reads them
    ['org/app\nname=ghcr.io/user/app,enable=false', ['org/app', 'name=ghcr.io/user/app,enable=false']],
    ['ghcr.io/user/app,enable=false', ['ghcr.io/user/app,enable=false']],
  ])('images %j', (text, expected) => {
    expect(parseImageList(text)).toEqual(expected);
  });

  test.each([
    // metadata-action rules hold commas, so rule inputs split on lines only
    [
      'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
      ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}'],
    ],
    ['type=sha,prefix=,format=short\r\n', ['type=sha,prefix=,format=short']],
    ['latest=false\nprefix=api-,onlatest=true', ['latest=false', 'prefix=api-,onlatest=true']],
  ])('rules %j', (text, expected) => {
    expect(parseLines(text)).toEqual(expected);
  });

  test.each([
    ['A=1\nB=two words', { A: '1', B: 'two words' }],
    ['URL=https://x.test/?a=b,c=d', { URL: 'https://x.test/?a=b,c=d' }],
    ['EMPTY=', { EMPTY: '' }],
    [' SPACED = v', { SPACED: ' v' }],
  ])('key=value %j', (text, expected) => {
    expect(parseKeyValues('build-args', text)).toEqual(expected);
  });

  test('a line without = names the input and never echoes a value', () => {
    expect(() => parseKeyValues('build-args', 'A=1\nhunter2')).toThrow(
      "Input build-args needs one KEY=value per line; write the line 'hunter2' as KEY=value.",
    );
    expect(() => parseKeyValues('labels', '=value-only')).toThrow(/Input labels needs one KEY=value per line/);
  });
});

describe('push', () => {
  test.each([
    ['auto', 'push', true],
    ['auto', 'pull_request', false],
    ['auto', 'pull_request_target', false],
    ['auto', 'workflow_dispatch', true],
    ['auto', undefined, true],
    ['true', 'pull_request', true],
    ['false', 'push', false],
  ] as const)('push: %s on %s', (mode, event, expected) => {
    expect(shouldPush(mode, event)).toBe(expected);
  });

  test.each(['AUTO', ' true ', 'False'])('accepts %j', (text) => {
    expect(['auto', 'true', 'false']).toContain(parsePushMode(text));
  });

  test('rejects anything else with the fix', () => {
    expect(() => parsePushMode('yes')).toThrow(
      "Input push must be auto, true or false, not 'yes'; set push: auto to push except on pull requests.",
    );
  });
});

describe('smoke inputs', () => {
  test.each([
    ['5000', 5000],
    [' 8080 ', 8080],
  ])('port %j', (text, port) => expect(parsePort(text)).toBe(port));
  test.each(['0', '65536', 'http', '50.5'])('port %j is rejected', (text) => expect(() => parsePort(text)).toThrow(/smoke-port/));
  test.each([
    ['200', 200],
    ['404', 404],
  ])('status %j', (text, status) => expect(parseStatus(text)).toBe(status));
  test.each(['99', '600', 'ok'])('status %j is rejected', (text) =>
    expect(() => parseStatus(text)).toThrow(/smoke-expect-status/),
  );
  test('path must start with /', () => {
    expect(parseSmokePath('/healthz')).toBe('/healthz');
    expect(() => parseSmokePath('healthz')).toThrow("Input smoke-path must start with '/', not 'healthz'; write it as /healthz.");
  });
  test.each([
    ['30', 30],
    ['90s', 90],
    ['2m', 120],
    ['1.5', 1.5],
  ])('timeout %j', (text, seconds) => expect(parseSeconds('smoke-timeout', text)).toBe(seconds));
  test.each(['0', '-3', 'soon', '2h'])('timeout %j is rejected', (text) =>
    expect(() => parseSeconds('smoke-timeout', text)).toThrow(/smoke-timeout/),
  );
});

test.each([
  ['NPM_TOKEN', true],
  ['DB_PASSWORD', true],
  ['SSH_KEY', true],
  ['DEPLOY_KEY', true],
  ['AUTHOR', false],
  ['PYTHON_VERSION', false],
])('the build arg %s is masked: %s (the SDK’s isSecretName, as the linter flags it)', (name, masked) => {
  const values = secretValues({ password: undefined, githubToken: undefined, buildArgs: { [name]: 'v4lue' } });
  expect(values).toEqual(masked ? ['v4lue'] : []);
});

describe('getInputs (the runner passes inputs as INPUT_<NAME> with dashes kept)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function captureStdout(): string[] {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    return lines;
  }

  test('reads every input; unset ones stay undefined for ship.yaml to fill', () => {
    vi.stubEnv('INPUT_IMAGES', 'localhost:5002/acme/app');
    vi.stubEnv('INPUT_SMOKE-PORT', '8000');
    vi.stubEnv('INPUT_SMOKE-TIMEOUT', '1m');
    vi.stubEnv('INPUT_PUSH', 'false');
    vi.stubEnv('INPUT_TAGS', 'type=semver,pattern={{version}}\ntype=sha');
    captureStdout();
    const inputs = getInputs();
    expect(inputs).toMatchObject({
      images: ['localhost:5002/acme/app'],
      push: 'false',
      tagRules: ['type=semver,pattern={{version}}', 'type=sha'],
      smoke: { enabled: undefined, port: 8000, path: undefined, timeoutMs: 60_000 },
      context: undefined,
      password: undefined,
    });
  });

  test('ssh: the runner’s agent, an agent socket or key files, one per line', () => {
    vi.stubEnv('INPUT_SSH', 'default\ngithub=/run/agent.sock\ndeploy=.ssh/deploy_key,.ssh/other_key');
    captureStdout();
    expect(getInputs().ssh).toEqual([
      { id: 'default' },
      { id: 'github', paths: ['/run/agent.sock'] },
      { id: 'deploy', paths: ['.ssh/deploy_key', '.ssh/other_key'] },
    ]);
  });

  test('masks the password, the token and secret build args before a bad input can fail', () => {
    vi.stubEnv('INPUT_USERNAME', 'ci');
    vi.stubEnv('INPUT_PASSWORD', 'pa55-word');
    vi.stubEnv('INPUT_GITHUB-TOKEN', 'ghs_token');
    vi.stubEnv('INPUT_BUILD-ARGS', 'NPM_TOKEN=npm-secret\nPYTHON_VERSION=3.11');
    vi.stubEnv('INPUT_SMOKE-PORT', 'not-a-port');
    const out = captureStdout();
    expect(() => getInputs()).toThrow(/smoke-port/);
    const masks = out.filter((line) => line.startsWith('::add-mask::')).map((line) => line.trim());
    expect(masks).toEqual(['::add-mask::pa55-word', '::add-mask::ghs_token', '::add-mask::npm-secret']);
  });

  test('smoke-test: false turns the smoke test off', () => {
    vi.stubEnv('INPUT_SMOKE-TEST', 'false');
    captureStdout();
    expect(getInputs().smoke.enabled).toBe(false);
  });
});

test('a password without a username is an input error, and the password is masked first', () => {
  vi.stubEnv('INPUT_PASSWORD', 'lonely-secret');
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  expect(() => getInputs()).toThrow(
    'Input password is set but username is not; set username to the registry user the password belongs to.',
  );
  expect(out.join('')).toBe('::add-mask::lonely-secret\n');
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('getDeployInputs', () => {
  afterEach(() => vi.unstubAllEnvs());

  test('deploy-service and deploy-replicas', () => {
    vi.stubEnv('INPUT_DEPLOY-SERVICE', 'flask-app');
    vi.stubEnv('INPUT_DEPLOY-REPLICAS', '3');
    expect(getDeployInputs()).toEqual({ service: 'flask-app', replicas: 3 });
  });

  test('neither: no deploy', () => {
    expect(getDeployInputs()).toEqual({ service: undefined, replicas: undefined });
  });

  test.each([
    [
      { 'INPUT_DEPLOY-SERVICE': 'app', 'INPUT_DEPLOY-REPLICAS': 'two' },
      /^Input deploy-replicas is 'two'; set it to a whole number/,
    ],
    [{ 'INPUT_DEPLOY-REPLICAS': '2' }, /^Input deploy-replicas is set but deploy-service is not; set deploy-service/],
  ])('%j is refused in one sentence', (env, message) => {
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    expect(() => getDeployInputs()).toThrow(message);
  });
});
