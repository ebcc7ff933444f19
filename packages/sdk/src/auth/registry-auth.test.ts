import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, ShipError } from '../errors.js';
import { resolveRegistryAuth } from './registry-auth.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

let dir: string;
let binDir: string;
let helperLog: string;

/**
 * A credential helper speaking the documented protocol (docker/docker-credential-helpers):
 * `get` reads the server URL on stdin and prints {ServerURL, Username, Secret}, or exits 1 with
 * "credentials not found in native keychain". It logs what it was asked so tests can check that.
 */
const HELPER = `#!/bin/sh
[ "$1" = get ] || { echo "unsupported action $1" >&2; exit 1; }
read -r server
echo "$server" >> "$HELPER_LOG"
case "$server" in
  helper.example.com) echo '{"ServerURL":"helper.example.com","Username":"helper-user","Secret":"helper-secret"}' ;;
  token.example.com) echo '{"ServerURL":"token.example.com","Username":"<token>","Secret":"identity-token-1"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub-user","Secret":"hub-secret"}' ;;
  broken.example.com) echo "keychain is locked" >&2; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-auth-'));
  binDir = join(dir, 'bin');
  helperLog = join(dir, 'helper.log');
  await mkdir(binDir);
  await writeFile(join(binDir, 'docker-credential-test'), HELPER);
  await chmod(join(binDir, 'docker-credential-test'), 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configDir(name: string, config: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'config.json'), JSON.stringify(config));
  return path;
}

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: `${binDir}:/usr/bin:/bin`,
  HOME: join(dir, 'home-without-config'),
  HELPER_LOG: helperLog,
  ...extra,
});

describe('resolveRegistryAuth precedence: explicit > DOCKER_AUTH_CONFIG > config file', () => {
  const fileConfig = { auths: { 'localhost:5002': { auth: b64('file-user:file-pass') } } };
  const inlineConfig = { auths: { 'https://localhost:5002': { auth: b64('env-user:env:pass') } } };

  test('explicit auth wins', async () => {
    const explicit = { username: 'me', password: 'pw' };
    const found = await resolveRegistryAuth('localhost:5002', {
      auth: explicit,
      env: env({ DOCKER_AUTH_CONFIG: JSON.stringify(inlineConfig) }),
      configDir: await configDir('p1', fileConfig),
    });
    expect(found).toBe(explicit);
  });

  test('DOCKER_AUTH_CONFIG beats the config file; a password may contain colons', async () => {
    const found = await resolveRegistryAuth('localhost:5002', {
      env: env({ DOCKER_AUTH_CONFIG: JSON.stringify(inlineConfig) }),
      configDir: await configDir('p2', fileConfig),
    });
    expect(found).toEqual({ username: 'env-user', password: 'env:pass', serveraddress: 'localhost:5002' });
  });

  test('DOCKER_AUTH_CONFIG without the host falls through to the config file', async () => {
    const found = await resolveRegistryAuth('localhost:5002', {
      env: env({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'other.io': { auth: b64('a:b') } } }) }),
      configDir: await configDir('p3', fileConfig),
    });
    expect(found).toEqual({ username: 'file-user', password: 'file-pass', serveraddress: 'localhost:5002' });
  });

  test('DOCKER_CONFIG names the config directory', async () => {
    const found = await resolveRegistryAuth('localhost:5002', { env: env({ DOCKER_CONFIG: await configDir('p4', fileConfig) }) });
    expect(found).toEqual({ username: 'file-user', password: 'file-pass', serveraddress: 'localhost:5002' });
  });

  test('~/.docker/config.json is the default', async () => {
    const home = join(dir, 'home');
    await configDir('home/.docker', fileConfig);
    const found = await resolveRegistryAuth('localhost:5002', { env: env({ HOME: home }) });
    expect(found).toEqual({ username: 'file-user', password: 'file-pass', serveraddress: 'localhost:5002' });
  });

  test('nothing configured gives undefined (anonymous)', async () => {
    expect(await resolveRegistryAuth('localhost:5002', { env: env() })).toBeUndefined();
    expect(await resolveRegistryAuth('ghcr.io', { configDir: await configDir('p5', fileConfig), env: env() })).toBeUndefined();
  });
});

describe('resolveRegistryAuth from config entries', () => {
  test.each([
    [
      'username/password fields',
      { username: 'u', password: 'p' },
      { username: 'u', password: 'p', serveraddress: 'localhost:5002' },
    ],
    ['identity token', { identitytoken: 'tok' }, { identitytoken: 'tok', serveraddress: 'localhost:5002' }],
    ['empty entry', {}, undefined],
  ])('%s', async (_name, entry, expected) => {
    const found = await resolveRegistryAuth('localhost:5002', {
      env: env(),
      configDir: await configDir(`e-${_name.replace(/\W/g, '')}`, { auths: { 'http://localhost:5002/v2/': entry } }),
    });
    expect(found).toEqual(expected);
  });

  test('Docker Hub is found under https://index.docker.io/v1/', async () => {
    const found = await resolveRegistryAuth('docker.io', {
      env: env(),
      configDir: await configDir('hub', { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }),
    });
    expect(found).toEqual({ username: 'hub', password: 'pw', serveraddress: 'docker.io' });
  });

  test('a bad auth entry is a ConfigError that does not echo the secret', async () => {
    const promise = resolveRegistryAuth('localhost:5002', {
      env: env(),
      configDir: await configDir('bad', { auths: { 'localhost:5002': { auth: b64('no-colon-secret') } } }),
    });
    await expect(promise).rejects.toBeInstanceOf(ConfigError);
    await expect(promise).rejects.not.toThrow('no-colon-secret');
  });

  test('invalid JSON in DOCKER_AUTH_CONFIG is a ConfigError that does not echo it', async () => {
    const promise = resolveRegistryAuth('localhost:5002', { env: env({ DOCKER_AUTH_CONFIG: '{"auths": s3cr3t' }) });
    await expect(promise).rejects.toBeInstanceOf(ConfigError);
    await expect(promise).rejects.not.toThrow('s3cr3t');
  });
});

describe('resolveRegistryAuth through docker-credential-* helpers', () => {
  test('credHelpers for the host asks that helper with the host on stdin', async () => {
    await writeFile(helperLog, '');
    const found = await resolveRegistryAuth('helper.example.com', {
      env: env(),
      configDir: await configDir('h1', {
        auths: { 'helper.example.com': { auth: b64('ignored:ignored') } },
        credHelpers: { 'helper.example.com': 'test' },
      }),
    });
    expect(found).toEqual({ username: 'helper-user', password: 'helper-secret', serveraddress: 'helper.example.com' });
    expect(await readFile(helperLog, 'utf8')).toBe('helper.example.com\n');
  });

  test('credsStore applies to every host; <token> means an identity token', async () => {
    const found = await resolveRegistryAuth('token.example.com', {
      env: env(),
      configDir: await configDir('h2', { credsStore: 'test' }),
    });
    expect(found).toEqual({ identitytoken: 'identity-token-1', serveraddress: 'token.example.com' });
  });

  test('Docker Hub is asked for as https://index.docker.io/v1/', async () => {
    const found = await resolveRegistryAuth('index.docker.io', {
      env: env(),
      configDir: await configDir('h3', { credsStore: 'test' }),
    });
    expect(found).toEqual({ username: 'hub-user', password: 'hub-secret', serveraddress: 'docker.io' });
  });

  test('"credentials not found" from the helper gives undefined', async () => {
    const found = await resolveRegistryAuth('unknown.example.com', {
      env: env(),
      configDir: await configDir('h4', { credsStore: 'test' }),
    });
    expect(found).toBeUndefined();
  });

  test('a failing helper rejects naming the helper and the fix', async () => {
    const promise = resolveRegistryAuth('broken.example.com', {
      env: env(),
      configDir: await configDir('h5', { credsStore: 'test' }),
    });
    await expect(promise).rejects.toBeInstanceOf(ShipError);
    await expect(promise).rejects.toThrow(
      "The credential helper docker-credential-test failed for broken.example.com (exit code 3: keychain is locked); check that it works with 'echo broken.example.com | docker-credential-test get' or log in again.",
    );
  });

  test('a helper that is not installed says so', async () => {
    const promise = resolveRegistryAuth('x.example.com', {
      env: env(),
      configDir: await configDir('h6', { credsStore: 'missing' }),
    });
    await expect(promise).rejects.toThrow("The command 'docker-credential-missing' was not found; install it or fix PATH.");
  });
});
