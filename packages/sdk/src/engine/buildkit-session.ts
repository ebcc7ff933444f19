import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { OutputReceiver } from './buildkit-output.js';
import { codec } from './buildkit-proto.js';
import type { DockerClient } from './client.js';

/**
 * A BuildKit session of our own on `POST /session`: the engine's BuildKit dials back over the
 * hijacked connection as a gRPC client and calls the services we announce. dockerode's session
 * serves only registry Auth with one fixed credential; this one also serves build secrets, SSH
 * agent forwarding and the export of an `--output`, and asks the caller's credential resolver
 * per registry host.
 */
export interface SessionCredentials {
  username: string;
  secret: string;
}

export interface BuildSessionServices {
  /** Credentials for a registry host (as the push resolves them); undefined for anonymous. */
  credentials?: (host: string) => Promise<SessionCredentials | undefined>;
  /** Secret values by id, read before the build starts. */
  secrets?: ReadonlyMap<string, Buffer>;
  /** SSH agents by id (`default` for `--ssh default`): each call opens one connection to the agent. */
  sshAgents?: ReadonlyMap<string, () => Duplex>;
  /** Where an `--output` export goes (FileSend is offered only with one). */
  output?: OutputReceiver;
}

export interface BuildSession {
  id: string;
  close(): void;
}

type Handler = grpc.UntypedHandleCall;

interface Method {
  path: string;
  requestType: string;
  responseType: string;
  stream?: boolean;
  handler: Handler;
}

/** BuildKit's metadata key naming the SSH id a `RUN --mount=type=ssh` asks for. */
const SSH_ID_KEY = 'buildkit.ssh.id';

export async function openBuildSession(docker: DockerClient, services: BuildSessionServices): Promise<BuildSession> {
  const id = randomUUID();
  const methods = sessionMethods(services);
  const socket = await dialSession(docker, id, methods);
  const server = new grpc.Server();
  for (const method of methods) {
    const request = codec<object>(method.requestType);
    const response = codec<object>(method.responseType);
    const name = method.path.split('/').pop() ?? method.path;
    server.addService(
      {
        [name]: {
          path: method.path,
          requestStream: method.stream ?? false,
          responseStream: method.stream ?? false,
          requestSerialize: request.serialize,
          requestDeserialize: request.deserialize,
          responseSerialize: response.serialize,
          responseDeserialize: response.deserialize,
        },
      },
      { [name]: method.handler },
    );
  }
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  injector.injectConnection(socket);
  let closed = false;
  return {
    id,
    close() {
      if (closed) return;
      closed = true;
      server.forceShutdown();
      socket.destroy();
    },
  };
}

function sessionMethods(services: BuildSessionServices): Method[] {
  const methods: Method[] = [
    {
      path: '/grpc.health.v1.Health/Check',
      requestType: 'HealthCheckRequest',
      responseType: 'HealthCheckResponse',
      handler: ((_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: 1 })) as Handler,
    },
    {
      path: '/moby.filesync.v1.Auth/Credentials',
      requestType: 'CredentialsRequest',
      responseType: 'CredentialsResponse',
      handler: ((call: grpc.ServerUnaryCall<{ Host: string }, object>, callback: grpc.sendUnaryData<object>) => {
        const lookup = services.credentials?.(call.request.Host) ?? Promise.resolve(undefined);
        lookup.then(
          (found) => callback(null, found ? { Username: found.username, Secret: found.secret } : {}),
          // The build then goes anonymously and the registry's own refusal explains it.
          () => callback(null, {}),
        );
      }) as Handler,
    },
    {
      path: '/moby.buildkit.secrets.v1.Secrets/GetSecret',
      requestType: 'GetSecretRequest',
      responseType: 'GetSecretResponse',
      handler: ((call: grpc.ServerUnaryCall<{ ID: string }, object>, callback: grpc.sendUnaryData<object>) => {
        const value = services.secrets?.get(call.request.ID);
        if (value === undefined) {
          callback({ code: grpc.status.NOT_FOUND, details: `secret ${call.request.ID} not found` });
          return;
        }
        callback(null, { data: value });
      }) as Handler,
    },
    {
      path: '/moby.sshforward.v1.SSH/CheckAgent',
      requestType: 'CheckAgentRequest',
      responseType: 'CheckAgentResponse',
      handler: ((call: grpc.ServerUnaryCall<{ ID: string }, object>, callback: grpc.sendUnaryData<object>) => {
        const sshId = call.request.ID || 'default';
        if (!services.sshAgents?.has(sshId)) {
          callback({ code: grpc.status.NOT_FOUND, details: `unset ssh forward key ${sshId}` });
          return;
        }
        callback(null, {});
      }) as Handler,
    },
    {
      path: '/moby.sshforward.v1.SSH/ForwardAgent',
      requestType: 'BytesMessage',
      responseType: 'BytesMessage',
      stream: true,
      handler: ((call: grpc.ServerDuplexStream<{ data: Buffer }, object>) => forwardAgent(call, services.sshAgents)) as Handler,
    },
  ];
  const output = services.output;
  if (output) {
    methods.push({
      path: '/moby.filesync.v1.FileSend/DiffCopy',
      requestType: output.wire,
      responseType: output.wire,
      stream: true,
      handler: ((call: grpc.ServerDuplexStream<object, object>) => output.receive(call)) as Handler,
    });
  }
  return methods;
}

/** Pipes one BuildKit SSH stream to a connection of the caller's agent, both ways. */
function forwardAgent(
  call: grpc.ServerDuplexStream<{ data: Buffer }, object>,
  agents: ReadonlyMap<string, () => Duplex> | undefined,
) {
  const sshId = String(call.metadata.get(SSH_ID_KEY)[0] ?? 'default');
  const open = agents?.get(sshId);
  if (!open) {
    call.destroy(Object.assign(new Error(`unset ssh forward key ${sshId}`), { code: grpc.status.NOT_FOUND }));
    return;
  }
  const agent = open();
  agent.on('data', (data: Buffer) => call.write({ data }));
  agent.on('error', () => call.end());
  agent.on('close', () => call.end());
  call.on('data', (message: { data: Buffer }) => agent.write(message.data));
  call.on('end', () => agent.end());
  call.on('error', () => agent.destroy());
  call.on('cancelled', () => agent.destroy());
}

function dialSession(docker: DockerClient, id: string, methods: Method[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        method: 'POST',
        path: '/session',
        hijack: true,
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': id,
          'X-Docker-Expose-Session-Name': 'container-ship',
          'X-Docker-Expose-Session-Sharedkey': '',
          'X-Docker-Expose-Session-Grpc-Method': methods.map((method) => method.path),
        },
        statusCodes: { 101: true, 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      (error: unknown, socket: unknown) => (error ? reject(error) : resolve(socket as Socket)),
    );
  });
}
