import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseDuration } from './duration.js';
import { closest, loadShipConfig, parseShipConfig } from './load.js';
import { configDefaults } from './options.js';

const file = { path: '/repo/app/ship.yaml', displayPath: 'ship.yaml' };

describe('parseShipConfig accepts good files', () => {
  test.each([
    ['an empty file', '', {}],
    ['a comment only', '# nothing yet\n', {}],
    ['an image', 'image: localhost:5001/examples/flask-app\n', { image: 'localhost:5001/examples/flask-app' }],
    ['several images', 'image: [a/app, b/app]\n', { image: ['a/app', 'b/app'] }],
    [
      'build settings, numbers and booleans as strings',
      'target: runtime\nbuildArgs:\n  PY: 3.11\n  DEBUG: false\nlabels:\n  team: web\n',
      { target: 'runtime', buildArgs: { PY: '3.11', DEBUG: 'false' }, labels: { team: 'web' } },
    ],
    [
      'a registry with env-named credentials',
      'registries:\n  - registry: localhost:5002\n    username: ship\n    passwordEnv: REGISTRY_PASSWORD\n',
      { registries: [{ registry: 'localhost:5002', username: 'ship', passwordEnv: 'REGISTRY_PASSWORD' }] },
    ],
    [
      'smoke settings with a duration',
      'smoke:\n  port: 8080\n  path: /health\n  expectStatus: 204\n  timeout: 45s\n',
      { smoke: { port: 8080, path: '/health', expectStatus: 204, timeout: 45_000 } },
    ],
    ['smoke turned off', 'smoke: false\n', { smoke: false }],
    [
      'tag rules and flavor',
      "tags:\n  rules:\n    - type=semver,pattern={{version}}\n  flavor: ['latest=false']\n",
      { tags: { rules: ['type=semver,pattern={{version}}'], flavor: ['latest=false'] } },
    ],
    ['lint ignores', 'lint:\n  ignore: [SHIP001]\n', { lint: { ignore: ['SHIP001'] } }],
  ])('%s', (_name, text, expected) => {
    expect(parseShipConfig(text, file).config).toEqual(expected);
  });

  test('JSON is read the same way', () => {
    const json = { path: '/repo/ship.config.json' };
    expect(parseShipConfig('{ "image": "app", "smoke": { "port": 5000 } }', json).config).toEqual({
      image: 'app',
      smoke: { port: 5000 },
    });
  });
});

describe('parseShipConfig rejects bad files with the key and its line', () => {
  test.each([
    ['a misspelt top-level key', 'image: app\nimagee: other\n', 2, /unknown key "imagee"; did you mean "image"\?/],
    [
      'an unknown nested key',
      'image: app\nsmoke:\n  port: 5000\n  pth: /\n',
      4,
      /unknown key "pth" in smoke; did you mean "path"\?/,
    ],
    ['an unknown key far from any', 'whatever: 1\n', 1, /unknown key "whatever"; remove it/],
    [
      'an inline password',
      'registries:\n  - registry: r\n    username: u\n    password: hunter2\n',
      4,
      /"password" in registries\[0\] would put a secret in the file; .*passwordEnv: VARIABLE_NAME/,
    ],
    ['a port that is a string', 'smoke:\n  port: web\n', 2, /smoke\.port must be a number, not string "web"/],
    ['a port out of range', 'smoke:\n  port: 70000\n', 2, /smoke\.port must be at most 65535, not number 70000/],
    ['a path without a slash', 'smoke:\n  path: health\n', 2, /smoke\.path must start with \//],
    ['a bad duration', 'smoke:\n  timeout: soon\n', 2, /"soon" is not a duration; write it like 30s/],
    ['a registry without a host', 'registries:\n  - username: u\n', 2, /registries\[0\] needs a registry or an image/],
    ['a list where a mapping goes', 'buildArgs:\n  - A=1\n', 2, /buildArgs must be a mapping, not a list/],
    ['an env name that is not one', 'registries:\n  - registry: r\n    passwordEnv: my password\n', 3, /environment variable/],
    ['a YAML syntax error', 'image: app\nsmoke: {port: 5000\n', 3, /fix the YAML syntax/],
    ['a duplicate key', 'image: a\nimage: b\n', 2, /fix the YAML syntax/],
    ['a top level that is a list', '- image: a\n', 1, /the file must be a mapping, not a list/],
    [
      'a YAML bomb (billion laughs): fails at once, as a bad file',
      'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
      2,
      /the YAML's aliases expand too many times .*; write the values out instead of through aliases\.$/,
    ],
  ])('%s', (_name, text, line, message) => {
    let caught: unknown;
    try {
      parseShipConfig(text, file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^ship\.yaml:\d+: /);
    expect(error.line).toBe(line);
    expect(error.file).toBe(file.path);
    expect(error.message.split('\n')).toHaveLength(1);
  });
});

describe('loadShipConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ship-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('returns undefined when there is no file and none was asked for', async () => {
    expect(await loadShipConfig({ cwd: dir })).toBeUndefined();
  });

  test('finds ship.config.json, then prefers ship.yaml', async () => {
    await writeFile(join(dir, 'ship.config.json'), '{"image": "from-json"}');
    expect((await loadShipConfig({ cwd: dir }))?.config.image).toBe('from-json');
    await writeFile(join(dir, 'ship.yaml'), 'image: from-yaml\n');
    const loaded = await loadShipConfig({ cwd: dir });
    expect(loaded?.config.image).toBe('from-yaml');
    expect(loaded?.path).toBe(join(dir, 'ship.yaml'));
    expect(loaded?.dir).toBe(dir);
  });

  test('a build context that is a file says so (exit 2 in the CLI), not "check its permissions"', async () => {
    const file = join(dir, 'Dockerfile');
    await writeFile(file, 'FROM scratch\n');
    await expect(loadShipConfig({ cwd: file })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `The build context '${file}' is a file, not a directory; pass the directory that holds your app (and the Dockerfile with --file).`,
    });
  });

  test('an explicit path that does not exist is a ConfigError', async () => {
    await expect(loadShipConfig({ cwd: dir, path: 'nope.yaml' })).rejects.toThrow(
      /No config file at nope\.yaml; check the --config path\./,
    );
  });
});

describe('configDefaults', () => {
  const loaded = (text: string) => parseShipConfig(text, file);

  test('resolves the context and the dockerfile against the file and reads credentials from the environment', () => {
    const defaults = configDefaults(
      loaded(
        'image: app\ncontext: ./src\ndockerfile: docker/Dockerfile.prod\nregistries:\n  - registry: r.example\n    username: u\n    passwordEnv: R_PASS\n',
      ),
      { env: { R_PASS: 's3cret' } },
    );
    expect(defaults).toEqual({
      image: ['app'],
      context: '/repo/app/src',
      // Relative to the file like every path in it, not to the context: /repo/app/docker/..., not /repo/app/src/docker/...
      dockerfile: '/repo/app/docker/Dockerfile.prod',
      registries: [{ registry: 'r.example', auth: { username: 'u', password: 's3cret' } }],
    });
  });

  test.each([
    [
      'an unset password variable',
      'registries:\n  - registry: r\n    username: u\n    passwordEnv: R_PASS\n',
      /names R_PASS, which is not set; export R_PASS/,
    ],
    ['a password without a user', 'registries:\n  - registry: r\n    passwordEnv: R_PASS\n', /has passwordEnv but no user name/],
  ])('%s is a ConfigError', (_name, text, message) => {
    expect(() => configDefaults(loaded(text), { env: { R_PASS: text.includes('username') ? '' : 'x' } })).toThrow(message);
  });

  test('maps smoke and tag settings to SDK option names', () => {
    expect(configDefaults(loaded('smoke:\n  timeout: 2m\ntags:\n  version: v1.1\n  latest: false\n'))).toEqual({
      smoke: { timeoutMs: 120_000 },
      version: 'v1.1',
      latest: false,
    });
  });
});

test.each([
  ['30s', 30_000],
  ['500ms', 500],
  ['2m', 120_000],
  ['1.5s', 1500],
  ['10', 10_000],
  [250, 250],
  ['0s', undefined],
  ['soon', undefined],
  ['-1s', undefined],
])('parseDuration(%j) is %j', (input, expected) => {
  expect(parseDuration(input)).toBe(expected);
});

test.each([
  ['imag', ['image', 'tags'], 'image'],
  ['regsitries', ['registries', 'image'], 'registries'],
  ['zzz', ['image', 'tags'], undefined],
])('closest(%s) is %s', (word, candidates, expected) => {
  expect(closest(word, candidates)).toBe(expected);
});
