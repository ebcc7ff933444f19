import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import { type OpenAgentConnection, sshAgents } from './ssh-agents.js';

// The in-process agent behind `--ssh ID=KEYFILE`, checked by OpenSSH's own client tools: ssh-add
// lists its keys and ssh-keygen -Y signs through it, then verifies the signature.
let dir: string;
const servers: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i11b-ssh-agents-'));
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function keygen(name: string, args: string[], passphrase = ''): Promise<string> {
  const path = join(dir, name);
  await runProcess('ssh-keygen', ['-q', ...args, '-N', passphrase, '-C', `i11b-${name}`, '-f', path]);
  return path;
}

/** Serves the agent on a unix socket, as BuildKit reaches it inside a build. */
async function serve(open: OpenAgentConnection, name: string): Promise<string> {
  const socket = join(dir, `${name}.sock`);
  const server = createServer((connection) => {
    const agent = open();
    connection.pipe(agent).pipe(connection);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return socket;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as Error;
}

describe('--ssh ID=KEYFILE', () => {
  test.each([
    ['ed25519 (OpenSSH format)', 'ed25519', ['-t', 'ed25519']],
    ['RSA (OpenSSH format)', 'rsa', ['-t', 'rsa', '-b', '2048']],
    ['ECDSA P-256 (OpenSSH format)', 'ecdsa256', ['-t', 'ecdsa', '-b', '256']],
    ['ECDSA P-384 (PEM)', 'ecdsa384-pem', ['-t', 'ecdsa', '-b', '384', '-m', 'PEM']],
    ['RSA (PEM)', 'rsa-pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']],
  ])(
    '%s: ssh-add lists it and ssh-keygen -Y signs through the agent, with a signature OpenSSH verifies',
    async (_label, name, args) => {
      const key = await keygen(name, args);
      const agents = await sshAgents([{ id: 'default', paths: [key] }], {});
      const socket = await serve(agents.get('default') as OpenAgentConnection, name);
      const env = { ...process.env, SSH_AUTH_SOCK: socket };

      // A PEM key has no comment: ssh-add names it by its file, and so does the agent.
      const fingerprint = (await runProcess('ssh-keygen', ['-l', '-f', `${key}.pub`])).stdout.trim();
      const listed = (await runProcess('ssh-add', ['-l'], { env })).stdout.trim();
      expect(listed).toBe(args.includes('PEM') ? fingerprint.replace(`i11b-${name}`, key) : fingerprint);

      const data = join(dir, `${name}.txt`);
      await writeFile(data, `signed by the ${name} key\n`);
      const signed = await runProcess('ssh-keygen', ['-Y', 'sign', '-f', `${key}.pub`, '-n', 'file', data], { env });
      expect(signed.exitCode, signed.stderr).toBe(0);
      const allowed = join(dir, `${name}.allowed`);
      await writeFile(allowed, `i11b@test ${await readFile(`${key}.pub`, 'utf8')}`);
      const verified = await runProcess(
        'sh',
        ['-c', `ssh-keygen -Y verify -f "${allowed}" -I i11b@test -n file -s "${data}.sig" < "${data}"`],
        { env },
      );
      expect(verified.exitCode).toBe(0);
      expect(verified.stdout).toContain('Good "file" signature for i11b@test');
    },
    60_000,
  );

  test('several key files under one id are all offered', async () => {
    const first = await keygen('several-a', ['-t', 'ed25519']);
    const second = await keygen('several-b', ['-t', 'ecdsa', '-b', '256']);
    const agents = await sshAgents([{ id: 'deploy', paths: [first, second] }], {});
    const socket = await serve(agents.get('deploy') as OpenAgentConnection, 'several');
    const listed = (await runProcess('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket } })).stdout;
    expect(listed).toContain('i11b-several-a (ED25519)');
    expect(listed).toContain('i11b-several-b (ECDSA)');
  }, 60_000);

  test('an agent socket given as the path is forwarded as it is; ~/ is the home directory', async () => {
    const key = await keygen('via-socket', ['-t', 'ed25519']);
    const inner = await serve((await sshAgents([{ id: 'a', paths: [key] }], {})).get('a') as OpenAgentConnection, 'inner');
    const outer = await sshAgents([{ id: 'b', paths: ['~/inner.sock'] }], { HOME: dir });
    const socket = await serve(outer.get('b') as OpenAgentConnection, 'outer');
    const listed = (await runProcess('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket } })).stdout;
    expect(listed).toContain('i11b-via-socket');
    expect(inner).toBe(join(dir, 'inner.sock'));
  }, 60_000);

  test.each([
    ['an OpenSSH key', ['-t', 'ed25519']],
    ['a PEM key', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']],
  ])(
    '%s with a passphrase is refused with how to use it, and nothing of the key is in the message',
    async (_label, args) => {
      const key = await keygen(`locked-${args.length}`, args, 'i11b-passphrase');
      const error = await refusal(sshAgents([{ id: 'default', paths: [key] }], {}));
      expect(error.message).toBe(
        `The SSH key '${key}' for 'default' is protected by a passphrase; load it into an agent (ssh-add ${key}) and pass --ssh default or default=SOCKET instead.`,
      );
      const lines = (await readFile(key, 'utf8')).split('\n').filter((line) => line.length > 20);
      expect(lines.filter((line) => error.message.includes(line) || JSON.stringify(error).includes(line))).toEqual([]);
    },
    60_000,
  );

  test('a public key, a file that is no key, a missing path and no SSH_AUTH_SOCK each get one sentence with the fix', async () => {
    const key = await keygen('public', ['-t', 'ed25519']);
    expect((await refusal(sshAgents([{ id: 'default', paths: [`${key}.pub`] }], {}))).message).toBe(
      `The SSH key '${key}.pub' for 'default' is a public key; pass the private key file (without .pub) or an agent socket.`,
    );
    const notKey = join(dir, 'not-a-key');
    await writeFile(notKey, 'i11b-some-secret-text\n');
    const garbage = await refusal(sshAgents([{ id: 'git', paths: [notKey] }], {}));
    expect(garbage.message).toMatch(/^'.*not-a-key' for 'git' is neither an agent socket nor a private key ship can read \(/);
    expect(garbage.message).not.toContain('i11b-some-secret-text');
    expect((await refusal(sshAgents([{ id: 'git', paths: [join(dir, 'nowhere')] }], {}))).message).toBe(
      `The SSH key or agent socket '${join(dir, 'nowhere')}' for 'git' does not exist; pass a private key file or a running agent's socket.`,
    );
    expect((await refusal(sshAgents([{ id: 'default' }], {}))).message).toBe(
      '--ssh default forwards the agent in SSH_AUTH_SOCK, which is not set; start ssh-agent (eval $(ssh-agent)), or pass default=KEYFILE or default=SOCKET.',
    );
    expect((await refusal(sshAgents([{ id: 'default' }], { SSH_AUTH_SOCK: notKey }))).message).toBe(
      `SSH_AUTH_SOCK ('${notKey}') is not a running agent's socket; start ssh-agent (eval $(ssh-agent)), or pass --ssh default=KEYFILE.`,
    );
  }, 60_000);
});
