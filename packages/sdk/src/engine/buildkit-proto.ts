import protobuf from 'protobufjs';

/**
 * The protobuf messages BuildKit speaks with us: the `moby.buildkit.trace` status it streams back
 * and the session services it calls. Declared here as data (not loaded from .proto files at run
 * time) so the action's single-file bundle carries them; field numbers are BuildKit's own
 * (control.proto, auth.proto, secrets.proto, ssh.proto, filesync.proto, grpc health.proto) and fsutil's
 * (stat.proto, wire.proto) for the packets of a `type=local` export.
 */
const timestamp = { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } };

const root = protobuf.Root.fromJSON({
  nested: {
    Timestamp: timestamp,
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        statuses: { rule: 'repeated', type: 'VertexStatus', id: 2 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
      },
    },
    Vertex: {
      fields: {
        digest: { type: 'string', id: 1 },
        inputs: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        cached: { type: 'bool', id: 4 },
        started: { type: 'Timestamp', id: 5 },
        completed: { type: 'Timestamp', id: 6 },
        error: { type: 'string', id: 7 },
      },
    },
    VertexStatus: {
      fields: {
        ID: { type: 'string', id: 1 },
        vertex: { type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        current: { type: 'int64', id: 4 },
        total: { type: 'int64', id: 5 },
      },
    },
    VertexLog: {
      fields: {
        vertex: { type: 'string', id: 1 },
        timestamp: { type: 'Timestamp', id: 2 },
        stream: { type: 'int64', id: 3 },
        msg: { type: 'bytes', id: 4 },
      },
    },
    HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
    HealthCheckResponse: { fields: { status: { type: 'int32', id: 1 } } },
    CredentialsRequest: { fields: { Host: { type: 'string', id: 1 } } },
    CredentialsResponse: { fields: { Username: { type: 'string', id: 1 }, Secret: { type: 'string', id: 2 } } },
    GetSecretRequest: {
      fields: { ID: { type: 'string', id: 1 }, annotations: { keyType: 'string', type: 'string', id: 2 } as protobuf.IField },
    },
    GetSecretResponse: { fields: { data: { type: 'bytes', id: 1 } } },
    CheckAgentRequest: { fields: { ID: { type: 'string', id: 1 } } },
    CheckAgentResponse: { fields: {} },
    BytesMessage: { fields: { data: { type: 'bytes', id: 1 } } },
    Stat: {
      fields: {
        path: { type: 'string', id: 1 },
        mode: { type: 'uint32', id: 2 },
        uid: { type: 'uint32', id: 3 },
        gid: { type: 'uint32', id: 4 },
        size: { type: 'int64', id: 5 },
        modTime: { type: 'int64', id: 6 },
        linkname: { type: 'string', id: 7 },
        devmajor: { type: 'int64', id: 8 },
        devminor: { type: 'int64', id: 9 },
        xattrs: { keyType: 'string', type: 'bytes', id: 10 } as protobuf.IField,
      },
    },
    // `type` is fsutil's PacketType enum: STAT 0, REQ 1, DATA 2, FIN 3, ERR 4.
    Packet: {
      fields: {
        type: { type: 'int32', id: 1 },
        stat: { type: 'Stat', id: 2 },
        ID: { type: 'uint32', id: 3 },
        data: { type: 'bytes', id: 4 },
      },
    },
  },
});

export interface TraceTimestamp {
  seconds: number;
  nanos: number;
}

export interface TraceVertex {
  digest: string;
  name: string;
  cached: boolean;
  started?: TraceTimestamp;
  completed?: TraceTimestamp;
  error: string;
}

export interface TraceLog {
  vertex: string;
  msg: Buffer;
}

export interface TraceStatus {
  vertexes: TraceVertex[];
  logs: TraceLog[];
}

const statusType = root.lookupType('StatusResponse');

/** Decodes the base64 `aux` of a `moby.buildkit.trace` line. */
export function decodeTrace(base64: string): TraceStatus {
  const message = statusType.decode(Buffer.from(base64, 'base64'));
  const object = statusType.toObject(message, { longs: Number, defaults: true, arrays: true }) as {
    vertexes: Array<TraceVertex & { started?: TraceTimestamp | null; completed?: TraceTimestamp | null }>;
    logs: Array<{ vertex: string; msg: Uint8Array }>;
  };
  return {
    vertexes: object.vertexes.map((vertex) => ({
      digest: vertex.digest,
      name: vertex.name,
      cached: vertex.cached,
      error: vertex.error,
      ...(vertex.started ? { started: vertex.started } : {}),
      ...(vertex.completed ? { completed: vertex.completed } : {}),
    })),
    logs: object.logs.map((log) => ({ vertex: log.vertex, msg: Buffer.from(log.msg) })),
  };
}

/** Encodes a status for recorded-stream fixtures and tests. */
export function encodeTrace(status: {
  vertexes?: Array<Partial<TraceVertex>> | undefined;
  logs?: TraceLog[] | undefined;
}): string {
  return Buffer.from(statusType.encode(statusType.fromObject(status)).finish()).toString('base64');
}

export interface MessageCodec<T> {
  serialize(value: T): Buffer;
  deserialize(bytes: Buffer): T;
}

/** grpc-js serializers for one message type. */
export function codec<T extends object>(name: string): MessageCodec<T> {
  const type = root.lookupType(name);
  return {
    serialize: (value) => Buffer.from(type.encode(type.fromObject(value)).finish()),
    deserialize: (bytes) => type.toObject(type.decode(bytes), { defaults: true, longs: Number }) as T,
  };
}
