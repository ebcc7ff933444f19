import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '@container-ship/test-utils';
import {
  makeTestCertificates,
  pushSyntheticImage,
  type StartedRegistry,
  startRegistry,
} from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';

/**
 * `--ca-cert` on the commands that talk to a registry themselves, against a real registry that
 * serves HTTPS with a self-signed CA (and htpasswd): what the TLS error messages advise works.
 */
const user = { username: 'i18', password: `pw-${uniqueName('i18')}` };
let dir: string;
let secure: StartedRegistry;
let certs: Awaited<ReturnType<typeof makeTestCertificates>>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i18-tls-'));
  certs = await makeTestCertificates(dir);
  secure = await startRegistry({ tls: { certificate: certs.cert, key: certs.key }, htpasswd: [user] });
  env = { DOCKER_CONFIG: join(dir, 'docker-config') };
});
afterAll(async () => {
  await secure?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('--ca-cert', () => {
  test('login, tags and promote reach an HTTPS registry with a private CA; without it they name --ca-cert', async () => {
    const refused = await ship(['login', secure.host, '-u', user.username], { env: { ...env, SHIP_PASSWORD: user.password } });
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stderr)[0]).toMatch(/could not be verified .*--ca-cert/);

    const login = await ship(['login', secure.host, '-u', user.username, '--ca-cert', certs.ca], {
      env: { ...env, SHIP_PASSWORD: user.password },
    });
    expect(login.stderr).not.toMatch(/✖/);
    expect(login.code).toBe(0);

    const repository = `${secure.host}/${uniqueName('i18-tls')}/app`;
    await pushSyntheticImage(`${repository}:2.0.0`, { caCert: certs.ca, auth: user });

    const tags = await ship(['tags', '--image', repository, '--tag', 'v1.5.0', '--ca-cert', certs.ca], { env });
    expect(tags.code).toBe(0);
    // The registry was read: 2.0.0 is there, so latest stays.
    expect(tags.stdout).toBe(`${repository}:1.5.0\n${repository}:1.5\n${repository}:1\n`);

    const promoted = await ship(['promote', `${repository}:2.0.0`, '--tag', 'v2.0.0', '--ca-cert', certs.ca, '--json'], {
      env,
    });
    expect(promoted.stderr).not.toMatch(/✖/);
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.stdout).refs).toEqual(['2.0.0', '2.0', '2', 'latest'].map((t) => `${repository}:${t}`));
  });

  test('push and release take --ca-cert too', async () => {
    for (const command of ['push', 'release']) {
      const help = await ship([command, '--help']);
      expect(help.stdout).toContain('--ca-cert <file>');
    }
  });
});
