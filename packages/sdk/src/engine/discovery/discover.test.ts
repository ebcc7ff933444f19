import { createHash } from 'node:crypto';
import { tableInput } from '@container-ship/test-utils/discovery';
import { describe, expect, test } from 'vitest';
import { discoverEngine } from './discover.js';

const colimaContext = {
  '/home/dev/.docker/config.json': '{"currentContext":"colima"}',
  [`/home/dev/.docker/contexts/meta/${createHash('sha256').update('colima').digest('hex')}/meta.json`]:
    '{"Endpoints":{"docker":{"Host":"unix:///home/dev/.colima/default/docker.sock"}}}',
};

describe('discoverEngine: the docker CLI order, then the known sockets', () => {
  test.each([
    [
      'DOCKER_HOST beats a docker context and every socket',
      { DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'colima' },
      { ...colimaContext, '/var/run/docker.sock': '' },
      'DOCKER_HOST',
      'tcp://127.0.0.1:2375',
    ],
    [
      'DOCKER_CONTEXT beats config.json',
      { DOCKER_CONTEXT: 'default' },
      { ...colimaContext, '/var/run/docker.sock': '' },
      'default socket',
      'unix:///var/run/docker.sock',
    ],
    [
      'the current context beats the default socket',
      {},
      { ...colimaContext, '/var/run/docker.sock': '' },
      'docker context',
      'unix:///home/dev/.colima/default/docker.sock',
    ],
    [
      'the default socket beats rootless',
      { XDG_RUNTIME_DIR: '/run/user/1000' },
      { '/var/run/docker.sock': '', '/run/user/1000/docker.sock': '' },
      'default socket',
      'unix:///var/run/docker.sock',
    ],
    [
      'rootless when it is the only socket',
      { XDG_RUNTIME_DIR: '/run/user/1000' },
      { '/run/user/1000/docker.sock': '' },
      'rootless',
      'unix:///run/user/1000/docker.sock',
    ],
    [
      'Docker Desktop on a Mac',
      {},
      { '/home/dev/.docker/run/docker.sock': '' },
      'Docker Desktop',
      'unix:///home/dev/.docker/run/docker.sock',
    ],
    [
      'Colima without a context',
      {},
      { '/home/dev/.colima/default/docker.sock': '' },
      'Colima',
      'unix:///home/dev/.colima/default/docker.sock',
    ],
    [
      'Podman last',
      { XDG_RUNTIME_DIR: '/run/user/1000' },
      { '/run/user/1000/podman/podman.sock': '' },
      'Podman',
      'unix:///run/user/1000/podman/podman.sock',
    ],
  ])('%s', (_name, env, files, rule, address) => {
    const found = discoverEngine(tableInput(env, files));
    expect(found.rule).toBe(rule);
    const { connection } = found;
    const described =
      connection.kind === 'unix'
        ? `unix://${connection.socketPath}`
        : connection.kind === 'tcp'
          ? `tcp://${connection.host}:${connection.port}`
          : '';
    expect(described).toBe(address);
  });

  test('nothing found: the default socket, with everything tried listed in order', () => {
    const found = discoverEngine(tableInput({ XDG_RUNTIME_DIR: '/run/user/1000' }, {}));
    expect(found.rule).toBeUndefined();
    expect(found.connection).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(found.tried).toEqual([
      'DOCKER_HOST (unset)',
      'DOCKER_CONTEXT (unset)',
      '/home/dev/.docker/config.json (missing)',
      '/var/run/docker.sock (missing)',
      '/run/user/1000/docker.sock (missing)',
      '/home/dev/.docker/run/docker.sock (missing)',
      '/home/dev/.docker/desktop/docker.sock (missing)',
      '/home/dev/.colima/default/docker.sock (missing)',
      '/home/dev/.colima/docker.sock (missing)',
      '/run/user/1000/podman/podman.sock (missing)',
      '/run/podman/podman.sock (missing)',
    ]);
  });
});
