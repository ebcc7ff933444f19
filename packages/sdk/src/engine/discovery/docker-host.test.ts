import { tableInput } from '@container-ship/test-utils/discovery';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../../errors.js';
import { dockerHostStrategy } from './docker-host.js';

describe('DOCKER_HOST', () => {
  test.each([
    ['unset', {}, { found: false, tried: ['DOCKER_HOST (unset)'] }],
    ['blank', { DOCKER_HOST: '  ' }, { found: false, tried: ['DOCKER_HOST (unset)'] }],
    [
      'a unix socket',
      { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
      { found: true, connection: { kind: 'unix', socketPath: '/run/user/1000/docker.sock' } },
    ],
    [
      'unix:// alone is the default socket',
      { DOCKER_HOST: 'unix://' },
      { found: true, connection: { kind: 'unix', socketPath: '/var/run/docker.sock' } },
    ],
    [
      'plain tcp on 2375',
      { DOCKER_HOST: 'tcp://10.0.0.5:2375' },
      { found: true, connection: { kind: 'tcp', host: '10.0.0.5', port: 2375, tls: false } },
    ],
    [
      'tcp without a port',
      { DOCKER_HOST: 'tcp://engine.local' },
      { found: true, connection: { kind: 'tcp', host: 'engine.local', port: 2375, tls: false } },
    ],
    [
      'tcp with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH',
      { DOCKER_HOST: 'tcp://engine.local:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
      { found: true, connection: { kind: 'tcp', host: 'engine.local', port: 2376, tls: true, verify: true, certPath: '/certs' } },
    ],
    [
      'port 2376 means TLS without verification (the docker CLI encrypts, does not check)',
      { DOCKER_HOST: 'tcp://engine.local:2376' },
      {
        found: true,
        connection: { kind: 'tcp', host: 'engine.local', port: 2376, tls: true, verify: false, certPath: undefined },
      },
    ],
    [
      'DOCKER_TLS_VERIFY=0 is off',
      { DOCKER_HOST: 'tcp://engine.local:2375', DOCKER_TLS_VERIFY: '0' },
      { found: true, connection: { kind: 'tcp', host: 'engine.local', port: 2375, tls: false } },
    ],
    [
      'ssh with user and port',
      { DOCKER_HOST: 'ssh://root@127.0.0.1:2222' },
      { found: true, connection: { kind: 'ssh', host: '127.0.0.1', port: 2222, user: 'root' } },
    ],
    [
      'ssh without user or port',
      { DOCKER_HOST: 'ssh://build-host' },
      { found: true, connection: { kind: 'ssh', host: 'build-host', port: 22, user: undefined } },
    ],
    [
      'ssh to an IPv6 host',
      { DOCKER_HOST: 'ssh://me@[::1]:2200' },
      { found: true, connection: { kind: 'ssh', host: '::1', port: 2200, user: 'me' } },
    ],
    [
      'npipe',
      { DOCKER_HOST: 'npipe:////./pipe/docker_engine' },
      { found: true, connection: { kind: 'npipe', socketPath: '//./pipe/docker_engine' } },
    ],
  ])('%s', (_name, env, expected) => {
    expect(dockerHostStrategy.find(tableInput(env))).toMatchObject(expected);
  });

  test.each([
    ['an unknown scheme', 'fd://3', /DOCKER_HOST 'fd:\/\/3' has an unknown scheme; use unix:/],
    [
      'a path after an ssh host',
      'ssh://root@host/var/run/docker.sock',
      /has a path after the host; ssh addresses are ssh:\/\/user@host\[:port\]\./,
    ],
    [
      'a password in an ssh address',
      'ssh://root:hunter2@host',
      /contains a password; remove it and let your ssh agent or key authenticate\./,
    ],
    ['a broken address', 'tcp://[nope', /is not a valid address/],
  ])('refuses %s with one sentence naming the fix', (_name, host, message) => {
    const find = () => dockerHostStrategy.find(tableInput({ DOCKER_HOST: host }));
    expect(find).toThrow(InvalidInputError);
    expect(find).toThrow(message);
  });

  test('the refusal of an ssh password does not repeat it', () => {
    expect(() => dockerHostStrategy.find(tableInput({ DOCKER_HOST: 'ssh://root:hunter2@host' }))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
