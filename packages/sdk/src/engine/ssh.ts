import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { type AddressInfo, connect as connectTcp, createServer, type Socket } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { EngineConnection } from './connection.js';
import { hostKeyVerdict, knownHostsName } from './known-hosts.js';
import { SshEngineError } from './ssh-error.js';

type SshConnection = Extract<EngineConnection, { kind: 'ssh' }>;

export { isSshFailure, SshEngineError } from './ssh-error.js';

/** What the docker CLI runs on the remote host to reach its engine; stdin/stdout carry the API. */
const DIAL_STDIO = 'docker system dial-stdio';

export interface SshEngine {
  /** Every HTTP request opens one `docker system dial-stdio` channel on the shared login. */
  agent: Agent;
  /** A local 127.0.0.1 port piped to `host:port` as seen from the remote host. */
  forward(host: string, port: number): Promise<{ port: number; close(): Promise<void> }>;
  close(): void;
}

/** Where ssh keeps the host keys it trusts: the user's file, then the system's. */
function knownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  return [join(env.HOME || homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

type Ssh2 = typeof import('ssh2');

/** ssh2 is CommonJS and only needed for ssh engines and SSH key files: loaded on first use. */
export async function loadSsh2(): Promise<Ssh2> {
  const loaded = (await import('ssh2')) as Ssh2 & { default?: Ssh2 };
  return loaded.default ?? loaded;
}

/** The first unencrypted default key, as `ssh` would offer it when the agent has none. */
function defaultPrivateKey(env: NodeJS.ProcessEnv, { utils }: Ssh2): Buffer | undefined {
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const text = readIfPresent(join(env.HOME || homedir(), '.ssh', name));
    // A key with a passphrase parses to an Error here; ssh would ask for it, we leave it to the agent.
    if (text && !(utils.parseKey(text) instanceof Error)) return Buffer.from(text);
  }
  return undefined;
}

/** Node's http client calls these on its sockets; an ssh channel has none of them. */
function asSocket(channel: ClientChannel): Duplex {
  const socket = channel as unknown as Duplex & Record<string, unknown>;
  for (const name of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof socket[name] !== 'function') socket[name] = () => socket;
  }
  return socket;
}

/**
 * One ssh login to the engine's host, shared by every request (`docker system dial-stdio` per
 * request, as the docker CLI does) and every tunnel. The login checks the host key against
 * known_hosts and authenticates with the ssh agent (`SSH_AUTH_SOCK`) or the default key. The
 * TCP socket under it keeps the process alive only while a channel is open.
 */
export function openSshEngine(connection: SshConnection, env: NodeJS.ProcessEnv = process.env): SshEngine {
  const where = `${connection.user ? `${connection.user}@` : ''}${connection.host}:${connection.port}`;
  let client: Client | undefined;
  let ready: Promise<Client> | undefined;
  let socket: Socket | undefined;
  let open = 0;

  const hold = () => {
    open += 1;
    socket?.ref();
  };
  const release = () => {
    open -= 1;
    if (open <= 0) socket?.unref();
  };

  const login = (): Promise<Client> => {
    if (ready) return ready;
    ready = loadSsh2().then((ssh2) => connect(ssh2));
    return ready;
  };

  const connect = (ssh2: Ssh2): Promise<Client> =>
    new Promise<Client>((resolve, reject) => {
      const ssh = new ssh2.Client();
      let hostKeyProblem: string | undefined;
      const files = knownHostsFiles(env);
      const hostName = knownHostsName(connection.host, connection.port);
      const config: ConnectConfig = {
        username: connection.user ?? env.USER ?? userInfo().username,
        readyTimeout: 30_000,
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => {
          const verdict = hostKeyVerdict(
            files.map((file) => readIfPresent(file) ?? ''),
            connection.host,
            connection.port,
            key,
          );
          if (verdict === 'match') return true;
          hostKeyProblem =
            verdict === 'unknown'
              ? `its host key is not in ${files[0]}; check it and add it (ssh ${connection.port === 22 ? '' : `-p ${connection.port} `}${connection.user ? `${connection.user}@` : ''}${connection.host} asks to), then retry`
              : `its host key does not match the one ${hostName} has in known_hosts (${verdict}); if the host was reinstalled, remove the old key with ssh-keygen -R '${hostName}'`;
          return false;
        },
      };
      if (env.SSH_AUTH_SOCK) config.agent = env.SSH_AUTH_SOCK;
      const key = defaultPrivateKey(env, ssh2);
      if (key) config.privateKey = key;
      socket = connectTcp({ host: connection.host, port: connection.port });
      socket.once('connect', () => {
        if (open <= 0) socket?.unref();
      });
      config.sock = socket;
      ssh.once('ready', () => {
        client = ssh;
        resolve(ssh);
      });
      ssh.once('error', (error: Error & { level?: string | undefined; code?: string | undefined }) => {
        ready = undefined;
        client = undefined;
        let reason: string;
        if (hostKeyProblem) reason = hostKeyProblem;
        else if (error.level === 'client-authentication')
          reason = `no key was accepted for ${connection.user ?? 'that user'}; add one to your ssh agent (ssh-add) or ~/.ssh, and its public half to the host's authorized_keys`;
        else if (error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' || error.code === 'ENOTFOUND')
          reason = `nothing answers ssh at ${where} (${error.code}); check the host and port in DOCKER_HOST`;
        else reason = `${error.message}; check that 'ssh -p ${connection.port} ${where.split(':')[0]}' works`;
        reject(new SshEngineError(reason, { cause: error }));
      });
      ssh.once('close', () => {
        ready = undefined;
        client = undefined;
      });
      ssh.connect(config);
    });

  const agent = new Agent();
  // Node's http client accepts an asynchronous createConnection through its callback.
  (agent as unknown as { createConnection: unknown }).createConnection = (
    _options: unknown,
    done: (error: Error | null, socket?: Duplex) => void,
  ) => {
    hold();
    login().then(
      (ssh) =>
        ssh.exec(DIAL_STDIO, (error, channel) => {
          if (error) {
            release();
            done(new SshEngineError(`could not start '${DIAL_STDIO}' on ${where}: ${error.message}`, { cause: error }));
            return;
          }
          let stderr = '';
          let answered = false;
          channel.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString('utf8');
          });
          channel.once('data', () => {
            answered = true;
          });
          channel.once('exit', (code: number | null) => {
            if (answered || !code) return;
            const said = stderr.trim().split('\n').at(-1);
            (channel as unknown as Duplex).destroy(
              new SshEngineError(
                `'${DIAL_STDIO}' exited ${code} on ${where}${said ? ` (${said})` : ''}; install the docker CLI there and check that its engine runs`,
              ),
            );
          });
          channel.once('close', release);
          done(null, asSocket(channel));
        }),
      (error: Error) => {
        release();
        done(error);
      },
    );
    return undefined;
  };

  const forward = async (host: string, port: number) => {
    const ssh = await login();
    const sockets = new Set<Socket>();
    const server = createServer((local) => {
      sockets.add(local);
      local.once('close', () => sockets.delete(local));
      hold();
      ssh.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error) {
          release();
          local.destroy();
          return;
        }
        local.pipe(channel).pipe(local);
        const end = () => {
          local.destroy();
          channel.destroy();
        };
        local.once('error', end);
        local.once('close', end);
        channel.once('error', end);
        channel.once('close', () => {
          end();
          release();
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
    };
  };

  return {
    agent,
    forward,
    close: () => {
      client?.end();
      socket?.destroy();
      agent.destroy();
    },
  };
}
