import { sign as cryptoSign } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ParsedKey } from 'ssh2';
import { loadSsh2 } from '../engine/ssh.js';
import { InvalidInputError } from '../errors.js';
import type { BuildSsh } from './build-options.js';

/** Opens one connection to an ssh-agent; BuildKit opens one per `RUN --mount=type=ssh` client. */
export type OpenAgentConnection = () => Duplex;

/**
 * The agents `--ssh` names, checked before the build starts: `default` alone is the agent in
 * SSH_AUTH_SOCK; `ID=PATH` is an agent socket when PATH is one, otherwise private key files.
 */
export async function sshAgents(specs: BuildSsh[], env: NodeJS.ProcessEnv): Promise<Map<string, OpenAgentConnection>> {
  const agents = new Map<string, OpenAgentConnection>();
  for (const spec of specs) {
    if (spec.paths === undefined) {
      agents.set(spec.id, await environmentAgent(spec.id, env.SSH_AUTH_SOCK));
      continue;
    }
    const paths = spec.paths.map((path) => resolve(path.startsWith('~/') && env.HOME ? `${env.HOME}${path.slice(1)}` : path));
    const [first] = paths;
    if (paths.length === 1 && first !== undefined && (await isSocket(first))) agents.set(spec.id, () => connect(first));
    else agents.set(spec.id, await keyFileAgent(spec.id, paths));
  }
  return agents;
}

async function environmentAgent(id: string, socket: string | undefined): Promise<OpenAgentConnection> {
  if (!socket) {
    throw new InvalidInputError(
      `--ssh ${id} forwards the agent in SSH_AUTH_SOCK, which is not set; start ssh-agent (eval $(ssh-agent)), or pass ${id}=KEYFILE or ${id}=SOCKET.`,
    );
  }
  if (!(await isSocket(socket))) {
    throw new InvalidInputError(
      `SSH_AUTH_SOCK ('${socket}') is not a running agent's socket; start ssh-agent (eval $(ssh-agent)), or pass --ssh ${id}=KEYFILE.`,
    );
  }
  return () => connect(socket);
}

async function isSocket(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isSocket() ?? false;
}

/**
 * `--ssh ID=KEYFILE`, as buildx does it: the private keys are read once, before the build, and
 * an ssh-agent of our own answers BuildKit's forwarded agent connections in process. Nothing is
 * started and no socket or file is written, so nothing can be left behind; the key never leaves
 * this process except as signatures. ssh2 parses the key files (OpenSSH and PEM, RSA, ECDSA and
 * Ed25519) and frames the agent protocol; the signing is Node's own crypto.
 */
async function keyFileAgent(id: string, paths: string[]): Promise<OpenAgentConnection> {
  const ssh2 = await loadSsh2();
  const keys: ParsedKey[] = [];
  for (const path of paths) {
    const text = await readFile(path).catch((cause: unknown) => {
      const what = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      throw new InvalidInputError(
        `The SSH key or agent socket '${path}' for '${id}' ${what}; pass a private key file or a running agent's socket.`,
        { cause },
      );
    });
    for (const key of parsePrivateKeys(ssh2.utils.parseKey(text), path, id)) {
      // PEM keys carry no comment; ssh-add shows the file instead, and so do we.
      if (!key.comment) key.comment = path;
      keys.push(key);
    }
  }
  return () => {
    const agent = new ssh2.AgentProtocol(false);
    agent.on('identities', (request) => agent.getIdentitiesReply(request, keys));
    agent.on('sign', (request, publicKey, data, flags) => {
      const wanted = publicKey.getPublicSSH();
      const key = keys.find((candidate) => candidate.getPublicSSH().equals(wanted));
      const signature = key ? signatureOf(key, data, flags.hash) : undefined;
      if (signature) agent.signReply(request, signature);
      else agent.failureReply(request);
    });
    return agent;
  };
}

function parsePrivateKeys(parsed: ParsedKey | ParsedKey[] | Error, path: string, id: string): ParsedKey[] {
  if (parsed instanceof Error) {
    if (/passphrase|encrypted/i.test(parsed.message)) {
      throw new InvalidInputError(
        `The SSH key '${path}' for '${id}' is protected by a passphrase; load it into an agent (ssh-add ${path}) and pass --ssh ${id} or ${id}=SOCKET instead.`,
      );
    }
    // ssh2's reasons are fixed phrases ("Unsupported key format"), never the file's content.
    throw new InvalidInputError(
      `'${path}' for '${id}' is neither an agent socket nor a private key ship can read (${parsed.message}); pass an OpenSSH or PEM private key file or an agent socket.`,
    );
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (!keys.every((key) => key.isPrivateKey())) {
    throw new InvalidInputError(
      `The SSH key '${path}' for '${id}' is a public key; pass the private key file (without .pub) or an agent socket.`,
    );
  }
  return keys;
}

const ECDSA_HASH: Record<string, string> = {
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/** The signature blob the agent protocol carries for the key's type (the protocol adds the format name). */
function signatureOf(key: ParsedKey, data: Buffer, rsaHash: string | undefined): Buffer | undefined {
  const pem = key.getPrivatePEM();
  try {
    if (key.type === 'ssh-ed25519') return cryptoSign(null, data, pem);
    if (key.type === 'ssh-rsa') return cryptoSign(rsaHash ?? 'sha1', data, pem);
    const hash = ECDSA_HASH[key.type];
    if (hash === undefined) return undefined;
    // SSH wants the two integers r and s as mpints; Node gives them as fixed-width halves.
    const rs = cryptoSign(hash, data, { key: pem, dsaEncoding: 'ieee-p1363' });
    const half = rs.length / 2;
    return Buffer.concat([mpint(rs.subarray(0, half)), mpint(rs.subarray(half))]);
  } catch {
    return undefined;
  }
}

function mpint(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const value = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length);
  return Buffer.concat([length, value]);
}
