import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '@container-ship/test-utils';
import {
  type FakeCloud,
  makeTestCertificates,
  pushSyntheticImage,
  type StartedRegistry,
  startFakeCloud,
  startRegistry,
  startTokenServer,
} from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listTags } from './list-tags.js';
import { login } from './login.js';
import { ACR_REFRESH_TOKEN_USERNAME } from './providers/acr.js';
import { storeCredentials } from './store-credentials.js';

// What each fake cloud hands out, and what the real registries are set up to accept.
const ecrPassword = `ecr-${uniqueName('pw')}`;
const acrRefreshToken = `acr-refresh-${uniqueName('rt')}`;
const googleAccessToken = `ya29.${uniqueName('gat')}`;
const alice = { username: 'alice', password: `pw-${uniqueName('alice')}` };
const aws = { accessKeyId: 'AKIATESTSHIP0000000', secretAccessKey: 'test-secret-key-not-real' };
const entra = {
  tenantId: '72f988bf-0000-4000-8000-000000000001',
  clientId: 'b7a0c0de-0000-4000-8000-000000000002',
  clientSecret: `secret-${uniqueName('cs')}`,
  accessToken: `eyJ.entra.${uniqueName('at')}`,
};
const oidcToken = `eyJ.github-oidc.${uniqueName('jwt')}`;

let dir: string;
let basic: StartedRegistry;
let bearer: StartedRegistry;
let cloud: FakeCloud;
let entraCloud: FakeCloud;
let certs: Awaited<ReturnType<typeof makeTestCertificates>>;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-login-itg-'));
  certs = await makeTestCertificates(dir);
  basic = await startRegistry({
    htpasswd: [
      alice,
      { username: ACR_REFRESH_TOKEN_USERNAME, password: acrRefreshToken },
      { username: 'oauth2accesstoken', password: googleAccessToken },
    ],
  });
  stops.push(basic.stop);
  const tokens = await startTokenServer({ dir, users: [alice, { username: 'AWS', password: ecrPassword }] });
  stops.push(tokens.stop);
  bearer = await startRegistry({ token: tokens });
  stops.push(bearer.stop);
  cloud = await startFakeCloud({
    ecr: { accessKeyId: aws.accessKeyId, password: ecrPassword, proxyEndpoint: `http://${bearer.host}` },
    acr: { refreshToken: acrRefreshToken, service: basic.host, accessToken: entra.accessToken },
    sts: { subjectToken: oidcToken, accessToken: googleAccessToken },
  });
  stops.push(cloud.stop);
  entraCloud = await startFakeCloud({ tls: { certificate: certs.cert, key: certs.key }, entra });
  stops.push(entraCloud.stop);
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function captureError(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

describe('generic registries', () => {
  test.each([
    ['htpasswd (Basic)', () => basic.host],
    ['token server (Bearer)', () => bearer.host],
  ])('username and password are checked against %s', async (_name, host) => {
    const result = await login({ registry: host(), username: alice.username, password: alice.password });
    expect(result.provider).toBe('generic');
    expect(result.auth).toEqual({ username: 'alice', password: alice.password, serveraddress: host() });
  });

  test.each([
    ['htpasswd (Basic)', () => basic.host],
    ['token server (Bearer)', () => bearer.host],
  ])('a wrong password against %s is LOGIN_FAILED in one sentence without the secret', async (_name, host) => {
    const error = await captureError(login({ registry: host(), username: 'alice', password: 'definitely-wrong-789' }));
    expect(error.code).toBe('LOGIN_FAILED');
    expect(error.message).toContain(host());
    expect(error.message).not.toContain('definitely-wrong-789');
    expect(error.message.split('; ').length).toBe(2);
  });

  test('no password for a generic registry names the flags to pass', async () => {
    const error = await captureError(login({ registry: basic.host, env: {} }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('--password-stdin');
  });
});

describe('cloud logins through the real client libraries and local token services', () => {
  test('ECR: the AWS SDK signs GetAuthorizationToken, AWS:<password> works on the token registry', async () => {
    const result = await login({
      registry: bearer.host,
      provider: 'ecr',
      env: { AWS_ACCESS_KEY_ID: aws.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.secretAccessKey },
      aws: { region: 'eu-west-1', endpoint: cloud.url },
    });
    expect(result.provider).toBe('ecr');
    expect(result.auth).toMatchObject({ username: 'AWS', password: ecrPassword });
    expect(result.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    const image = await pushSyntheticImage(`${bearer.host}/${uniqueName('ecr')}/app:1`, { auth: result.auth });
    expect(await listTags(image.ref, { auth: result.auth })).toEqual(['1']);
    expect(cloud.calls.filter((c) => c.api === 'ecr' && c.status === 200).length).toBe(1);
  });

  test('ECR: credentials the service rejects are LOGIN_FAILED naming the permission', async () => {
    const error = await captureError(
      login({
        registry: bearer.host,
        provider: 'ecr',
        env: { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY0000000', AWS_SECRET_ACCESS_KEY: 'nope-secret-321' },
        aws: { region: 'eu-west-1', endpoint: cloud.url },
      }),
    );
    expect(error.code).toBe('LOGIN_FAILED');
    expect(error.message).toContain('ecr:GetAuthorizationToken');
    expect(error.message).not.toContain('nope-secret-321');
  });

  test('ACR: @azure/identity gets an Entra ID token, /oauth2/exchange turns it into a refresh token the registry accepts', async () => {
    const result = await login({
      registry: basic.host,
      provider: 'acr',
      env: { AZURE_TENANT_ID: entra.tenantId, AZURE_CLIENT_ID: entra.clientId, AZURE_CLIENT_SECRET: entra.clientSecret },
      azure: { authorityHost: entraCloud.url, authorityCaCert: certs.ca, exchangeUrl: `${cloud.url}/oauth2/exchange` },
    });
    expect(result.auth).toMatchObject({ username: ACR_REFRESH_TOKEN_USERNAME, password: acrRefreshToken });
    expect(entraCloud.calls.some((c) => c.api === 'entra-token' && c.status === 200)).toBe(true);
    expect(cloud.calls.some((c) => c.api === 'acr-exchange' && c.status === 200)).toBe(true);
    const image = await pushSyntheticImage(`${basic.host}/${uniqueName('acr')}/app:1`, { auth: result.auth });
    expect(await listTags(image.ref, { auth: result.auth })).toEqual(['1']);
  });

  test('ACR: a wrong client secret is LOGIN_FAILED naming the variables, without the secret', async () => {
    const error = await captureError(
      login({
        registry: basic.host,
        provider: 'acr',
        env: { AZURE_TENANT_ID: entra.tenantId, AZURE_CLIENT_ID: entra.clientId, AZURE_CLIENT_SECRET: 'wrong-client-secret-654' },
        azure: { authorityHost: entraCloud.url, authorityCaCert: certs.ca, exchangeUrl: `${cloud.url}/oauth2/exchange` },
      }),
    );
    expect(error.code).toBe('LOGIN_FAILED');
    expect(error.message).toContain('AZURE_CLIENT_SECRET');
    expect(error.message).not.toContain('wrong-client-secret-654');
  });

  test('GAR: google-auth-library exchanges a GitHub OIDC token at STS (workload identity), oauth2accesstoken works', async () => {
    const tokenFile = join(dir, 'oidc-token');
    await writeFile(tokenFile, oidcToken);
    const keyFile = join(dir, 'wif.json');
    await writeFile(
      keyFile,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/providers/ship',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${cloud.url}/v1/token`,
        credential_source: { file: tokenFile },
      }),
    );
    const result = await login({ registry: basic.host, provider: 'gar', env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile } });
    expect(result.auth).toMatchObject({ username: 'oauth2accesstoken', password: googleAccessToken });
    const image = await pushSyntheticImage(`${basic.host}/${uniqueName('gar')}/app:1`, { auth: result.auth });
    expect(await listTags(image.ref, { auth: result.auth })).toEqual(['1']);
    expect(cloud.calls.some((c) => c.api === 'sts' && c.status === 200)).toBe(true);
  });

  test('a provider whose optional SDK is not installed says which package to install', async () => {
    // The SDKs are installed in this repository, so the import goes to a package name that
    // exists nowhere: Node's own ERR_MODULE_NOT_FOUND, as a project without the package gets.
    const importer = (specifier: string) => import(/* @vite-ignore */ `${specifier}-not-installed-${uniqueName('pkg')}`);
    const error = await captureError(
      login({ registry: 'public.ecr.aws', env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }, importer }),
    );
    expect(error.code).toBe('MISSING_DEPENDENCY');
    expect(error.message).toContain('npm install @aws-sdk/client-ecr-public');
  });
});

describe('storeCredentials', () => {
  test('writes auths like docker login, mode 0600, keeping the rest of config.json', async () => {
    const configDir = join(dir, uniqueName('docker'));
    await mkdir(configDir);
    await writeFile(
      join(configDir, 'config.json'),
      JSON.stringify({ auths: { 'other.example.com': { auth: 'b3RoZXI6eA==' } }, psFormat: 'table' }),
    );
    const stored = await storeCredentials({
      registry: basic.host,
      auth: { username: 'alice', password: alice.password },
      configDir,
    });
    expect(stored).toEqual({ configPath: join(configDir, 'config.json') });
    expect((await stat(stored.configPath)).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(stored.configPath, 'utf8'));
    expect(config.psFormat).toBe('table');
    expect(config.auths['other.example.com']).toEqual({ auth: 'b3RoZXI6eA==' });
    expect(Buffer.from(config.auths[basic.host].auth, 'base64').toString()).toBe(`alice:${alice.password}`);
    const docker = await storeCredentials({ registry: 'docker.io', auth: { username: 'bob', password: 'tok' }, configDir });
    expect(JSON.parse(await readFile(docker.configPath, 'utf8')).auths['https://index.docker.io/v1/']).toBeDefined();
  });

  test('goes through docker-credential-<helper> store on stdin when a credsStore is set', async () => {
    const configDir = join(dir, uniqueName('docker'));
    const binDir = join(dir, uniqueName('bin'));
    await mkdir(configDir);
    await mkdir(binDir);
    const captured = join(dir, uniqueName('captured'));
    const helper = join(binDir, 'docker-credential-shiptest');
    await writeFile(helper, `#!/bin/sh\n[ "$1" = store ] || exit 3\ncat > '${captured}'\n`);
    await chmod(helper, 0o755);
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ credsStore: 'shiptest' }));
    const stored = await storeCredentials({
      registry: basic.host,
      auth: { username: 'alice', password: alice.password },
      configDir,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
    });
    expect(stored.helper).toBe('shiptest');
    expect(JSON.parse(await readFile(captured, 'utf8'))).toEqual({
      ServerURL: basic.host,
      Username: 'alice',
      Secret: alice.password,
    });
    const config = await readFile(stored.configPath, 'utf8');
    expect(config).not.toContain(alice.password);
    expect(JSON.parse(config).auths[basic.host]).toEqual({});
  });

  test('a helper that fails is LOGIN_FAILED naming it', async () => {
    const configDir = join(dir, uniqueName('docker'));
    await mkdir(configDir);
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ credHelpers: { [basic.host]: 'absent-helper' } }));
    const error = await captureError(storeCredentials({ registry: basic.host, auth: alice, configDir }));
    expect(error.code).toBe('MISSING_DEPENDENCY');
    expect(error.message).toContain('docker-credential-absent-helper');
  });
});
