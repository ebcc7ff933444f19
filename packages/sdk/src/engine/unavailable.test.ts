import { describe, expect, test } from 'vitest';
import { engineUnavailable } from './client.js';
import type { EngineDiscovery } from './discovery/discover.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const socket = (socketPath: string) => ({ kind: 'unix' as const, socketPath });

describe('the error when the engine does not answer says where and how it was found', () => {
  test.each<[string, EngineDiscovery, string]>([
    [
      'DOCKER_HOST names the address itself',
      { connection: socket('/nope.sock'), rule: 'DOCKER_HOST', detail: 'DOCKER_HOST=unix:///nope.sock', tried: [] },
      'No Docker engine answers at unix:///nope.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    ],
    [
      'a socket found by a later rule names the rule',
      {
        connection: socket('/run/podman/podman.sock'),
        rule: 'Podman',
        detail: 'Podman',
        tried: ['DOCKER_HOST (unset)', '/var/run/docker.sock (missing)'],
      },
      'No Docker engine answers at unix:///run/podman/podman.sock (found by the Podman rule); start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    ],
    [
      'nothing found lists everything tried',
      {
        connection: socket('/var/run/docker.sock'),
        rule: undefined,
        detail: 'nothing found',
        tried: ['DOCKER_HOST (unset)', '/var/run/docker.sock (missing)', '/run/podman/podman.sock (missing)'],
      },
      'No Docker engine answers at unix:///var/run/docker.sock, and none was found elsewhere (tried DOCKER_HOST (unset), /var/run/docker.sock (missing), /run/podman/podman.sock (missing)); start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    ],
  ])('%s', (_name, discovery, message) => {
    const error = engineUnavailable({ connection: discovery.connection, discovery }, refused);
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe(message);
    expect(error.cause).toBe(refused);
  });
});
