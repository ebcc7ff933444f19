import { createHash } from 'node:crypto';
import { tableInput } from '@container-ship/test-utils/discovery';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../../errors.js';
import { currentContextStrategy, dockerContextEnvStrategy } from './docker-context.js';

const id = (name: string) => createHash('sha256').update(name).digest('hex');
const meta = (name: string, host: string, skipTls = false, config = '/home/dev/.docker') => ({
  [`${config}/contexts/meta/${id(name)}/meta.json`]: JSON.stringify({
    Name: name,
    Metadata: {},
    Endpoints: { docker: { Host: host, SkipTLSVerify: skipTls } },
  }),
});
const tls = (name: string, files: string[], config = '/home/dev/.docker') =>
  Object.fromEntries(files.map((file) => [`${config}/contexts/tls/${id(name)}/docker/${file}`, 'PEM']));
const config = (current: string, dir = '/home/dev/.docker') => ({
  [`${dir}/config.json`]: JSON.stringify({ currentContext: current }),
});

describe('DOCKER_CONTEXT', () => {
  test.each([
    ['unset', {}, {}, { found: false, tried: ['DOCKER_CONTEXT (unset)'] }],
    [
      'the default context is no context',
      { DOCKER_CONTEXT: 'default' },
      {},
      { found: false, tried: ['DOCKER_CONTEXT (default)'] },
    ],
    [
      'a Colima context',
      { DOCKER_CONTEXT: 'colima' },
      meta('colima', 'unix:///home/dev/.colima/default/docker.sock'),
      { found: true, connection: { kind: 'unix', socketPath: '/home/dev/.colima/default/docker.sock' } },
    ],
    [
      'a context pointing at a tcp+TLS engine, with its TLS files',
      { DOCKER_CONTEXT: 'prod' },
      { ...meta('prod', 'tcp://10.1.2.3:2376'), ...tls('prod', ['ca.pem', 'cert.pem', 'key.pem']) },
      {
        found: true,
        connection: {
          kind: 'tcp',
          host: '10.1.2.3',
          port: 2376,
          tls: true,
          verify: true,
          certPath: `/home/dev/.docker/contexts/tls/${id('prod')}/docker`,
        },
      },
    ],
    [
      'a TLS context with SkipTLSVerify encrypts without checking',
      { DOCKER_CONTEXT: 'lab' },
      { ...meta('lab', 'tcp://lab:2376', true), ...tls('lab', ['ca.pem']) },
      { found: true, connection: { kind: 'tcp', host: 'lab', port: 2376, tls: true, verify: false } },
    ],
    [
      'a tcp context without TLS files is plain tcp, whatever DOCKER_TLS_VERIFY says',
      { DOCKER_CONTEXT: 'plain', DOCKER_TLS_VERIFY: '1' },
      meta('plain', 'tcp://lab:2375'),
      { found: true, connection: { kind: 'tcp', host: 'lab', port: 2375, tls: false } },
    ],
    [
      'an ssh context',
      { DOCKER_CONTEXT: 'remote' },
      meta('remote', 'ssh://deploy@build.example:2200'),
      { found: true, connection: { kind: 'ssh', host: 'build.example', port: 2200, user: 'deploy' } },
    ],
    [
      'DOCKER_CONFIG moves the context store',
      { DOCKER_CONTEXT: 'rd', DOCKER_CONFIG: '/etc/dockercfg' },
      meta('rd', 'unix:///home/dev/.rd/docker.sock', false, '/etc/dockercfg'),
      { found: true, connection: { kind: 'unix', socketPath: '/home/dev/.rd/docker.sock' } },
    ],
  ])('%s', (_name, env, files, expected) => {
    expect(dockerContextEnvStrategy.find(tableInput(env, files))).toMatchObject(expected);
  });

  test.each([
    [
      'a context that does not exist',
      { DOCKER_CONTEXT: 'gone' },
      {},
      /docker context 'gone' \(DOCKER_CONTEXT\) does not exist in \/home\/dev\/\.docker\/contexts; create it with 'docker context create gone'/,
    ],
    [
      'a broken meta.json',
      { DOCKER_CONTEXT: 'bad' },
      { [`/home/dev/.docker/contexts/meta/${id('bad')}/meta.json`]: '{' },
      /has a broken .*meta\.json; recreate the context/,
    ],
    [
      'a context without a docker endpoint',
      { DOCKER_CONTEXT: 'k8s' },
      { [`/home/dev/.docker/contexts/meta/${id('k8s')}/meta.json`]: '{"Endpoints":{}}' },
      /has no docker endpoint/,
    ],
  ])('refuses %s with one sentence naming the fix', (_name, env, files, message) => {
    const find = () => dockerContextEnvStrategy.find(tableInput(env, files));
    expect(find).toThrow(InvalidInputError);
    expect(find).toThrow(message);
  });
});

describe('the current docker context (config.json)', () => {
  test.each([
    ['no config.json', {}, {}, { found: false, tried: ['/home/dev/.docker/config.json (missing)'] }],
    [
      'config.json without currentContext',
      {},
      { '/home/dev/.docker/config.json': '{"auths":{}}' },
      { found: false, tried: ['/home/dev/.docker/config.json (no currentContext)'] },
    ],
    [
      'config.json that is not JSON',
      {},
      { '/home/dev/.docker/config.json': 'nope' },
      { found: false, tried: ['/home/dev/.docker/config.json (not JSON)'] },
    ],
    [
      'currentContext default',
      {},
      config('default'),
      { found: false, tried: ['currentContext in /home/dev/.docker/config.json (default)'] },
    ],
    [
      'docker context use colima',
      {},
      { ...config('colima'), ...meta('colima', 'unix:///home/dev/.colima/default/docker.sock') },
      { found: true, connection: { kind: 'unix', socketPath: '/home/dev/.colima/default/docker.sock' } },
    ],
    [
      'docker context use orbstack',
      {},
      { ...config('orbstack'), ...meta('orbstack', 'unix:///home/dev/.orbstack/run/docker.sock') },
      { found: true, connection: { kind: 'unix', socketPath: '/home/dev/.orbstack/run/docker.sock' } },
    ],
    [
      'a tcp+TLS current context',
      {},
      { ...config('prod'), ...meta('prod', 'tcp://10.1.2.3:2376'), ...tls('prod', ['ca.pem', 'cert.pem', 'key.pem']) },
      { found: true, connection: { kind: 'tcp', host: '10.1.2.3', port: 2376, tls: true, verify: true } },
    ],
  ])('%s', (_name, env, files, expected) => {
    expect(currentContextStrategy.find(tableInput(env, files))).toMatchObject(expected);
  });
});
