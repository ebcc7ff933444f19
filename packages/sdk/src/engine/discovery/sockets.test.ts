import { tableInput } from '@container-ship/test-utils/discovery';
import { describe, expect, test } from 'vitest';
import { colimaStrategy, defaultSocketStrategy, dockerDesktopStrategy, podmanStrategy, rootlessStrategy } from './sockets.js';
import type { DiscoveryStrategy } from './strategy.js';

type Row = [name: string, env: Record<string, string>, files: string[], expected: string | string[], uid?: number];

function check(strategy: DiscoveryStrategy, rows: Row[]) {
  test.each(rows)('%s', (_name, env, files, expected, uid = 1000) => {
    const finding = strategy.find(tableInput(env, Object.fromEntries(files.map((file) => [file, ''])), uid));
    if (typeof expected === 'string')
      expect(finding).toMatchObject({ found: true, connection: { kind: 'unix', socketPath: expected } });
    else expect(finding).toEqual({ found: false, tried: expected });
  });
}

describe('default socket', () => {
  check(defaultSocketStrategy, [
    ['present', {}, ['/var/run/docker.sock'], '/var/run/docker.sock'],
    ['missing', {}, [], ['/var/run/docker.sock (missing)']],
  ]);
});

describe('rootless Docker', () => {
  check(rootlessStrategy, [
    ['in XDG_RUNTIME_DIR', { XDG_RUNTIME_DIR: '/run/user/1000' }, ['/run/user/1000/docker.sock'], '/run/user/1000/docker.sock'],
    ['in /run/user/<uid> when XDG_RUNTIME_DIR is unset', {}, ['/run/user/1001/docker.sock'], '/run/user/1001/docker.sock', 1001],
    ['missing', { XDG_RUNTIME_DIR: '/run/user/1000' }, [], ['/run/user/1000/docker.sock (missing)']],
    [
      'root without XDG_RUNTIME_DIR has none',
      {},
      ['/run/user/0/docker.sock'],
      ['$XDG_RUNTIME_DIR/docker.sock (XDG_RUNTIME_DIR unset)'],
      0,
    ],
  ]);
});

describe('Docker Desktop', () => {
  check(dockerDesktopStrategy, [
    ['macOS ~/.docker/run/docker.sock', {}, ['/home/dev/.docker/run/docker.sock'], '/home/dev/.docker/run/docker.sock'],
    [
      'Linux ~/.docker/desktop/docker.sock',
      {},
      ['/home/dev/.docker/desktop/docker.sock'],
      '/home/dev/.docker/desktop/docker.sock',
    ],
    ['missing', {}, [], ['/home/dev/.docker/run/docker.sock (missing)', '/home/dev/.docker/desktop/docker.sock (missing)']],
  ]);
});

describe('Colima', () => {
  check(colimaStrategy, [
    ['the default profile', {}, ['/home/dev/.colima/default/docker.sock'], '/home/dev/.colima/default/docker.sock'],
    ['the older ~/.colima/docker.sock', {}, ['/home/dev/.colima/docker.sock'], '/home/dev/.colima/docker.sock'],
    ['COLIMA_HOME', { COLIMA_HOME: '/opt/colima' }, ['/opt/colima/default/docker.sock'], '/opt/colima/default/docker.sock'],
    ['missing', {}, [], ['/home/dev/.colima/default/docker.sock (missing)', '/home/dev/.colima/docker.sock (missing)']],
  ]);
});

describe('Podman', () => {
  check(podmanStrategy, [
    [
      "the user's socket",
      { XDG_RUNTIME_DIR: '/run/user/1000' },
      ['/run/user/1000/podman/podman.sock', '/run/podman/podman.sock'],
      '/run/user/1000/podman/podman.sock',
    ],
    ['the system socket', { XDG_RUNTIME_DIR: '/run/user/1000' }, ['/run/podman/podman.sock'], '/run/podman/podman.sock'],
    ['root: only the system socket', {}, ['/run/podman/podman.sock'], '/run/podman/podman.sock', 0],
    ['missing', {}, [], ['/run/podman/podman.sock (missing)'], 0],
  ]);
});
