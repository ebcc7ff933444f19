import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestbed } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';

/** `ship login` against the test bed's htpasswd registry, storing into a temp DOCKER_CONFIG. */
const { host, username, password } = loadTestbed().registries.auth;
let dockerConfig: string;

beforeAll(async () => {
  dockerConfig = await mkdtemp(join(tmpdir(), 'ship-login-'));
});
afterAll(async () => {
  await rm(dockerConfig, { recursive: true, force: true });
});

describe('ship login', () => {
  test('--password-stdin stores the credentials like docker login, mode 0600, and never prints the password', async () => {
    const run = await ship(['login', host, '-u', username, '--password-stdin'], {
      stdin: `${password}\n`,
      env: { DOCKER_CONFIG: dockerConfig },
    });
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `✔ Logged in to ${host} as ${username} (generic); credentials stored in ${join(dockerConfig, 'config.json')}.\n`,
    );
    const config = JSON.parse(await readFile(join(dockerConfig, 'config.json'), 'utf8'));
    expect(Buffer.from(config.auths[host].auth, 'base64').toString()).toBe(`${username}:${password}`);
    expect((await stat(join(dockerConfig, 'config.json'))).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  test('SHIP_PASSWORD works instead of stdin, and --json prints no secret', async () => {
    const run = await ship(['login', host, '-u', username, '--json'], {
      env: { DOCKER_CONFIG: dockerConfig, SHIP_PASSWORD: password },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      registry: host,
      provider: 'generic',
      username,
      configPath: join(dockerConfig, 'config.json'),
    });
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  test('a wrong password exits 1 with one line naming the registry', async () => {
    const run = await ship(['login', host, '-u', username, '--password-stdin'], {
      stdin: 'not-the-password\n',
      env: { DOCKER_CONFIG: dockerConfig },
    });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^✖ Login to ${host} as ${username} failed: .*; check the username and password`)),
    ]);
    expect(run.stderr).not.toContain('not-the-password');
  });

  test('a password flag is refused before anything is sent', async () => {
    const run = await ship(['login', host, '-u', username, '--password', 'hunter2'], { env: { DOCKER_CONFIG: dockerConfig } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      '✖ A password given as a flag shows in the process list and shell history; pipe it with --password-stdin or set SHIP_PASSWORD.\n',
    );
  });
});
