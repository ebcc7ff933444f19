import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { hostKeyVerdict, knownHostsName } from './known-hosts.js';

const KEY = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOr3aW1wbGUtaG9zdC1rZXktZm9yLXRlc3Rz', 'base64');
const OTHER = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIG90aGVyLWhvc3Qta2V5LWZvci10ZXN0cw==', 'base64');
const key64 = KEY.toString('base64');
const other64 = OTHER.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  test.each([
    ['a plain entry on port 22', `build.example ssh-ed25519 ${key64}`, 'build.example', 22, 'match'],
    ['a bracketed entry for another port', `[127.0.0.1]:2222 ssh-ed25519 ${key64}`, '127.0.0.1', 2222, 'match'],
    ['the port-22 entry does not cover another port', `127.0.0.1 ssh-ed25519 ${key64}`, '127.0.0.1', 2222, 'unknown'],
    ['a hashed entry (HashKnownHosts yes)', `${hashed('[127.0.0.1]:2222')} ssh-ed25519 ${key64}`, '127.0.0.1', 2222, 'match'],
    ['a list of names', `alpha,build.example,10.0.0.9 ssh-ed25519 ${key64}`, 'build.example', 22, 'match'],
    ['a wildcard', `*.example ssh-ed25519 ${key64}`, 'build.example', 22, 'match'],
    ['a negated name wins over a wildcard', `*.example,!build.example ssh-ed25519 ${key64}`, 'build.example', 22, 'unknown'],
    ['another key for the host is a mismatch', `build.example ssh-ed25519 ${other64}`, 'build.example', 22, 'mismatch'],
    [
      'one of two keys matching is a match',
      `build.example ssh-rsa ${other64}\nbuild.example ssh-ed25519 ${key64}`,
      'build.example',
      22,
      'match',
    ],
    ['a revoked key', `@revoked * ssh-ed25519 ${key64}\nbuild.example ssh-ed25519 ${key64}`, 'build.example', 22, 'revoked'],
    ['cert-authority lines are not host keys', `@cert-authority *.example ssh-ed25519 ${key64}`, 'build.example', 22, 'unknown'],
    ['comments and blank lines', `# build.example ssh-ed25519 ${key64}\n\n`, 'build.example', 22, 'unknown'],
    ['an empty file', '', 'build.example', 22, 'unknown'],
  ])('%s', (_name, text, host, port, verdict) => {
    expect(hostKeyVerdict([text], host, port, KEY)).toBe(verdict);
  });

  test('the system file counts too', () => {
    expect(hostKeyVerdict(['', `build.example ssh-ed25519 ${key64}`], 'build.example', 22, KEY)).toBe('match');
  });

  test.each([
    ['host', 22, 'host'],
    ['127.0.0.1', 2222, '[127.0.0.1]:2222'],
  ])('%s:%i is written %s', (host, port, name) => {
    expect(knownHostsName(host, port)).toBe(name);
  });
});
