import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ProxyOptions {
  /** The registry behind the proxy: `http://127.0.0.1:<port>`. */
  upstream: string;
  /** Share of requests whose connection is reset (0..1). Default 0: a counting proxy. */
  resetRate?: number;
  /** Share of requests answered `503 Service Unavailable` instead of forwarded. Default 0. */
  errorRate?: number;
  /** No request (method and path) fails more often than this, so bounded retries always get through. Default 2. */
  maxFailuresPerRequest?: number;
  /** Seed of the deterministic random sequence that picks the failures. */
  seed?: number;
  /** The proxy closes itself after this long, so a hung test cannot leave it running. Default 10 minutes. */
  lifetimeMs?: number;
  /** Targeted faults: asked for every request before the random ones; `undefined` lets it through. */
  fault?: (request: { method: string; path: string }) => ProxyFault | undefined;
}

/**
 * A fault aimed at one kind of request:
 * - `answer`: answer `status` (and `body`) instead of the registry; with `forward`, the registry
 *   gets the request (and acts on it) but its answer is lost and replaced;
 * - `stall`: read the request and never answer, as a registry that hangs mid-upload;
 * - `garbage`: forward, then replace the answer's body with as many bytes of garbage;
 * - `delay`: forward after `ms`, to shuffle the order in which concurrent clients' requests land.
 */
export type ProxyFault =
  | { kind: 'answer'; status: number; body?: string; forward?: boolean }
  | { kind: 'stall' }
  | { kind: 'garbage' }
  | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Request body bytes the proxy read from the client. */
  bytesIn: number;
  outcome: 'forwarded' | 'reset' | '503' | 'fault';
  status?: number | undefined;
}

export interface RegistryProxy {
  host: string;
  url: string;
  requests: ProxiedRequest[];
  /** Body bytes of blob uploads (PATCH and PUT under `/blobs/uploads/`) forwarded to the registry. */
  blobBytesUploaded(): number;
  stop(): Promise<void>;
}

/** A small deterministic PRNG (mulberry32), so a flaky run can be replayed with its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function forward(incoming: IncomingMessage, upstream: URL, onAnswer: (answer: IncomingMessage) => void): void {
  const forwarded = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
    onAnswer,
  );
  forwarded.on('error', () => incoming.socket.destroy());
  incoming.pipe(forwarded);
}

function injectFault(
  fault: ProxyFault,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  upstream: URL,
  record: ProxiedRequest,
): void {
  if (fault.kind === 'stall') {
    incoming.resume();
    return;
  }
  if (fault.kind === 'delay') {
    incoming.pause();
    setTimeout(
      () =>
        forward(incoming, upstream, (answer) => {
          record.status = answer.statusCode;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        }),
      fault.ms,
    );
    return;
  }
  if (fault.kind === 'garbage') {
    forward(incoming, upstream, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const length = Buffer.concat(chunks).length;
        record.status = answer.statusCode;
        outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(length) });
        outgoing.end(Buffer.alloc(length, 0x7a));
      });
    });
    return;
  }
  const reply = () => {
    record.status = fault.status;
    const body = fault.body ?? `{"errors":[{"code":"UNKNOWN","message":"injected ${fault.status}"}]}`;
    outgoing.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    outgoing.end(body);
  };
  if (fault.forward) {
    forward(incoming, upstream, (answer) => {
      answer.resume();
      answer.on('end', reply);
    });
    return;
  }
  incoming.resume();
  incoming.once('end', reply);
}

/** Retries of one upload get new session ids; the blob's digest is what stays the same. */
function failureKey(method: string, path: string): string {
  const url = new URL(path, 'http://proxy');
  const uploads = url.pathname.replace(/\/blobs\/uploads\/[^/]+$/, '/blobs/uploads/*');
  return `${method} ${uploads} ${url.searchParams.get('digest') ?? url.searchParams.get('mount') ?? ''}`;
}

/**
 * An HTTP proxy in front of a registry that counts what goes through it and, when asked,
 * misbehaves: it resets connections (mid-body for uploads) and answers 503, at the given rates,
 * and injects the targeted `fault`s (a 500 for one tag's manifest PUT, a stalled blob upload).
 * The Host header goes through untouched, so the registry's upload Locations point back here.
 */
export async function startRegistryProxy(options: ProxyOptions): Promise<RegistryProxy> {
  const upstream = new URL(options.upstream);
  const random = mulberry32(options.seed ?? 7);
  const resetRate = options.resetRate ?? 0;
  const errorRate = options.errorRate ?? 0;
  const maxFailures = options.maxFailuresPerRequest ?? 2;
  const failures = new Map<string, number>();
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    const key = failureKey(incoming.method ?? 'GET', path);
    const record: ProxiedRequest = { method: incoming.method ?? 'GET', path, bytesIn: 0, outcome: 'forwarded' };
    requests.push(record);
    const roll = random();
    const mayFail = (failures.get(key) ?? 0) < maxFailures;
    incoming.on('data', (chunk: Buffer) => {
      record.bytesIn += chunk.length;
    });
    const fault = options.fault?.({ method: record.method, path });
    if (fault) {
      record.outcome = 'fault';
      injectFault(fault, incoming, outgoing, upstream, record);
      return;
    }
    if (mayFail && roll < resetRate) {
      failures.set(key, (failures.get(key) ?? 0) + 1);
      record.outcome = 'reset';
      // Reset after some of the body arrived, as a dropped upload looks on the wire.
      const reset = () => incoming.socket.resetAndDestroy();
      if (record.method === 'PUT' || record.method === 'PATCH') incoming.once('data', reset);
      else reset();
      incoming.once('end', reset);
      return;
    }
    if (mayFail && roll < resetRate + errorRate) {
      failures.set(key, (failures.get(key) ?? 0) + 1);
      record.outcome = '503';
      record.status = 503;
      incoming.resume();
      incoming.once('end', () => {
        outgoing.writeHead(503, { 'content-type': 'text/plain', connection: 'close' });
        outgoing.end('Service Unavailable\n');
      });
      return;
    }
    forward(incoming, upstream, (answer) => {
      record.status = answer.statusCode;
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = () =>
    new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  const lifetime = setTimeout(() => void stop(), options.lifetimeMs ?? 600_000);
  lifetime.unref();
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    blobBytesUploaded: () =>
      requests
        .filter(
          (r) => r.outcome === 'forwarded' && (r.method === 'PUT' || r.method === 'PATCH') && r.path.includes('/blobs/uploads/'),
        )
        .reduce((sum, r) => sum + r.bytesIn, 0),
    stop,
  };
}
