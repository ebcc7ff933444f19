import { join } from 'node:path';
import { DEFAULT_SOCKET } from '../connection.js';
import { type DiscoveryStrategy, firstSocket, runtimeDir } from './strategy.js';

/** `/var/run/docker.sock`: Docker Engine on Linux, and Docker Desktop's compatibility link. */
export const defaultSocketStrategy: DiscoveryStrategy = {
  rule: 'default socket',
  explicit: false,
  find: (input) => firstSocket(input, [DEFAULT_SOCKET], DEFAULT_SOCKET),
};

/** Rootless Docker: `$XDG_RUNTIME_DIR/docker.sock`. */
export const rootlessStrategy: DiscoveryStrategy = {
  rule: 'rootless',
  explicit: false,
  find(input) {
    const dir = runtimeDir(input);
    if (!dir) return { found: false, tried: ['$XDG_RUNTIME_DIR/docker.sock (XDG_RUNTIME_DIR unset)'] };
    return firstSocket(input, [join(dir, 'docker.sock')], 'rootless Docker');
  },
};

/** Docker Desktop's per-user socket (macOS, and Linux's `~/.docker/desktop`). */
export const dockerDesktopStrategy: DiscoveryStrategy = {
  rule: 'Docker Desktop',
  explicit: false,
  find: (input) =>
    firstSocket(
      input,
      [join(input.home, '.docker', 'run', 'docker.sock'), join(input.home, '.docker', 'desktop', 'docker.sock')],
      'Docker Desktop',
    ),
};

/** Colima's default profile (`$COLIMA_HOME`, else `~/.colima`). */
export const colimaStrategy: DiscoveryStrategy = {
  rule: 'Colima',
  explicit: false,
  find(input) {
    const home = input.env.COLIMA_HOME || join(input.home, '.colima');
    return firstSocket(input, [join(home, 'default', 'docker.sock'), join(home, 'docker.sock')], 'Colima');
  },
};

/** Podman's Docker-compatible API: the user's socket, then the system one. */
export const podmanStrategy: DiscoveryStrategy = {
  rule: 'Podman',
  explicit: false,
  find(input) {
    const dir = runtimeDir(input);
    const paths = [...(dir ? [join(dir, 'podman', 'podman.sock')] : []), '/run/podman/podman.sock'];
    return firstSocket(input, paths, 'Podman');
  },
};
