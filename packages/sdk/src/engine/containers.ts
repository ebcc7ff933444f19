import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { readTar } from '../dockerfile/tar-reader.js';
import { type DockerClient, dockerFor, type EngineOptions } from './client.js';
import { commonEngineError, engineErrorMessage, engineStatusCode } from './engine-errors.js';

/**
 * The container half of the Docker Engine API seam: create, start, inspect, logs, wait,
 * stop, remove and list by label. Callers (run/, smoke/, cleanup/) never see dockerode;
 * they get plain data and `ShipError`s.
 */

/** One published port: container port/protocol → host address (hostPort 0: the engine picks). */
export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export interface ContainerSpec {
  image: string;
  name?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  command?: string[];
  ports?: PortBinding[];
}

export type HealthState = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface ContainerState {
  id: string;
  name: string;
  /** created, running, exited, dead, ... as the engine says. */
  status: string;
  running: boolean;
  exitCode: number;
  /** The engine's own error for a container that failed to start. */
  error: string;
  health: HealthState;
  /** The last health check's output, when the image has a HEALTHCHECK that ran. */
  healthLog?: string;
  /** `5000/tcp` → host port the engine bound on the host side. */
  hostPorts: Record<string, number>;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  createdAt: Date;
}

/** Turns "no engine there" into EngineUnavailableError; passes the engine's own errors on. */
async function call<T>(options: EngineOptions, operation: (docker: DockerClient) => Promise<T>): Promise<T> {
  try {
    return await operation(await dockerFor(options));
  } catch (error) {
    // No engine becomes a ShipError here; the callers read what is left (404, 409, ...). The
    // signal is left out: cleanup calls run after an abort, and their 404s must stay 404s.
    throw commonEngineError(error, { ...options, signal: undefined }) ?? error;
  }
}

function portKey(binding: Pick<PortBinding, 'containerPort' | 'protocol'>): string {
  return `${binding.containerPort}/${binding.protocol}`;
}

/** Creates (not starts) a container; rejects with the engine's error (404 for a missing image). */
export async function createContainer(spec: ContainerSpec, options: EngineOptions = {}): Promise<string> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of spec.ports ?? []) {
    exposed[portKey(port)] = {};
    const binding = { HostIp: port.hostIp, HostPort: port.hostPort === 0 ? '' : String(port.hostPort) };
    bindings[portKey(port)] = [...(bindings[portKey(port)] ?? []), binding];
  }
  const container = await call(options, (docker) =>
    docker.createContainer({
      Image: spec.image,
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.command ? { Cmd: spec.command } : {}),
      Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: spec.labels ?? {},
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings },
    }),
  );
  return container.id;
}

export async function startContainer(id: string, options: EngineOptions = {}): Promise<void> {
  await call(options, (docker) => docker.getContainer(id).start());
}

function toHealth(status: string | undefined): HealthState {
  if (status === 'starting' || status === 'healthy' || status === 'unhealthy') return status;
  return 'none';
}

/** Inspects a container; undefined when it does not exist (any more). */
export async function inspectContainer(id: string, options: EngineOptions = {}): Promise<ContainerState | undefined> {
  let info: Awaited<ReturnType<ReturnType<DockerClient['getContainer']>['inspect']>>;
  try {
    info = await call(options, (docker) => docker.getContainer(id).inspect());
  } catch (error) {
    if (engineStatusCode(error) === 404) return undefined;
    throw error;
  }
  const hostPorts: Record<string, number> = {};
  const ports = (info.NetworkSettings?.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  for (const [key, bound] of Object.entries(ports)) {
    const first = bound?.find((entry) => entry.HostPort);
    if (first) hostPorts[key] = Number(first.HostPort);
  }
  const health = info.State.Health;
  const lastCheck = health?.Log?.at(-1);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    status: info.State.Status,
    running: info.State.Running,
    exitCode: info.State.ExitCode,
    error: info.State.Error,
    health: toHealth(health?.Status),
    ...(lastCheck ? { healthLog: lastCheck.Output.trim() } : {}),
    hostPorts,
  };
}

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers: stream type, 3 zero
 * bytes, big-endian length) into text. A buffer without frame headers (a TTY container) is
 * returned as it is. Pure, so it is tested with recorded bytes.
 */
export function demuxLogs(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    if ((type !== 0 && type !== 1 && type !== 2) || buffer.readUIntBE(offset + 1, 3) !== 0) {
      return offset === 0 ? buffer.toString('utf8') : Buffer.concat([...chunks, buffer.subarray(offset)]).toString('utf8');
    }
    const length = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * stdout and stderr interleaved as the container wrote them; `tail` keeps the last N lines.
 * `stderrOnly` reads just stderr: the engine copies the two streams separately, so when a
 * process prints to both just before it exits, their order in the combined log can flip.
 */
export async function containerLogs(
  id: string,
  o: { tail?: number | undefined; stderrOnly?: boolean | undefined } & EngineOptions = {},
): Promise<string> {
  try {
    const buffer = await call(o, (docker) =>
      docker.getContainer(id).logs({ stdout: !o.stderrOnly, stderr: true, follow: false, ...(o.tail ? { tail: o.tail } : {}) }),
    );
    return demuxLogs(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)));
  } catch (error) {
    if (engineStatusCode(error) === 404) return '';
    throw error;
  }
}

/**
 * Follows a container's output line by line until the returned function is called or the
 * container stops. Frames are demultiplexed as they arrive; a partial line waits for its end.
 */
export function followContainerLogs(
  id: string,
  onLine: (line: string) => void,
  options: { tail?: number | undefined } & EngineOptions = {},
): () => void {
  let stream: Readable | undefined;
  let stopped = false;
  let pending = Buffer.alloc(0);
  let partial = '';
  const decoder = new StringDecoder('utf8');
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  };
  const onData = (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) return;
      emit(decoder.write(pending.subarray(8, 8 + length)));
      pending = pending.subarray(8 + length);
    }
  };
  call(options, (docker) =>
    docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, follow: true, ...(options.tail !== undefined ? { tail: options.tail } : {}) }),
  )
    .then((readable) => {
      stream = readable as unknown as Readable;
      if (stopped) return stream.destroy();
      stream.on('data', onData);
      stream.on('end', () => {
        if (partial) onLine(partial);
        partial = '';
      });
      stream.on('error', () => {});
    })
    .catch(() => {});
  return () => {
    stopped = true;
    stream?.destroy();
  };
}

/** Resolves with the exit code once the container is not running; rejects if `signal` aborts. */
export async function waitContainer(
  id: string,
  o: { signal?: AbortSignal | undefined } & EngineOptions = {},
): Promise<{ exitCode: number }> {
  const result = (await call(o, (docker) => docker.getContainer(id).wait(o.signal ? { abortSignal: o.signal } : {}))) as {
    StatusCode?: number;
  };
  return { exitCode: result.StatusCode ?? -1 };
}

/** Stops (SIGTERM, then SIGKILL after `timeoutSeconds`); a container already stopped or gone is fine. */
export async function stopContainer(id: string, o: { timeoutSeconds?: number | undefined } & EngineOptions = {}): Promise<void> {
  try {
    await call(o, (docker) => docker.getContainer(id).stop({ t: o.timeoutSeconds ?? 10 }));
  } catch (error) {
    const status = engineStatusCode(error);
    if (status === 304 || status === 404) return;
    throw error;
  }
}

/** Force-removes a container and its anonymous volumes; one that is already gone is fine. */
export async function removeContainer(id: string, options: EngineOptions = {}): Promise<void> {
  try {
    await call(options, (docker) => docker.getContainer(id).remove({ force: true, v: true }));
  } catch (error) {
    const status = engineStatusCode(error);
    if (status === 404) return;
    // 409 "removal already in progress": someone else (a parallel dispose) is removing it.
    if (status === 409 && /already in progress/i.test(engineErrorMessage(error))) return;
    throw error;
  }
}

function labelFilters(labels: Record<string, string | true>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === true ? key : `${key}=${value}`));
}

/** All containers (running or not) carrying every given label (`true`: the label with any value). */
export async function listContainersByLabel(
  labels: Record<string, string | true>,
  options: EngineOptions = {},
): Promise<ContainerSummary[]> {
  return listContainers({ label: labelFilters(labels) }, options);
}

async function listContainers(filters: Record<string, string[]>, options: EngineOptions): Promise<ContainerSummary[]> {
  const list = await call(options, (docker) => docker.listContainers({ all: true, filters: JSON.stringify(filters) }));
  return list.map((info) => ({
    id: info.Id,
    name: (info.Names[0] ?? info.Id.slice(0, 12)).replace(/^\//, ''),
    image: info.Image,
    state: info.State,
    labels: info.Labels ?? {},
    createdAt: new Date(info.Created * 1000),
  }));
}

/**
 * Untagged ("dangling") images carrying every given label: what the sweep removes. It lives
 * here rather than in images.ts because only the sweep needs it.
 */
export async function listDanglingImagesByLabel(
  labels: Record<string, string | true>,
  options: EngineOptions = {},
): Promise<string[]> {
  const list = await call(options, (docker) =>
    docker.listImages({ filters: JSON.stringify({ dangling: ['true'], label: labelFilters(labels) }) }),
  );
  return list.map((image) => image.Id);
}

/** A 404 from create whose message says the image is missing (not, say, a missing network). */
export function isNoSuchImage(error: unknown): boolean {
  return engineStatusCode(error) === 404 && /no such image|not found/i.test(engineErrorMessage(error));
}

/**
 * The host port named in a "port is already allocated" / "address already in use" failure,
 * or undefined when the error is about something else.
 */
export function portInUseFrom(error: unknown): { hostIp?: string; hostPort?: number } | undefined {
  const message = engineErrorMessage(error);
  if (!/port is already allocated|address already in use/i.test(message)) return undefined;
  const match = /(?:Bind for|listen tcp[46]?) \[?([0-9a-f.:]*?)\]?:(\d+)(?: failed|:)/i.exec(message);
  if (!match) return {};
  return { ...(match[1] ? { hostIp: match[1] } : {}), hostPort: Number(match[2]) };
}

/**
 * One file's text from an image, read without running it: a created (never started) container,
 * `GET /containers/{id}/archive`, then the container is removed. Undefined when the image has no
 * such file.
 */
export async function readImageFile(
  image: string,
  path: string,
  options: { labels?: Record<string, string> | undefined } & EngineOptions = {},
): Promise<string | undefined> {
  const id = await createContainer({ image, command: ['true'], labels: options.labels ?? {} }, options);
  try {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await call(options, (docker) => docker.getContainer(id).getArchive({ path }));
    } catch (error) {
      if (engineStatusCode(error) === 404) return undefined;
      throw error;
    }
    let text: string | undefined;
    await readTar(archive as AsyncIterable<Uint8Array>, async (entry, content) => {
      if (entry.type !== 'file' || text !== undefined) return;
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(Buffer.from(chunk));
      text = Buffer.concat(chunks).toString('utf8');
    });
    return text;
  } finally {
    await removeContainer(id, options);
  }
}

/** Containers (running or not) made from the image or an image built on it, as `docker rmi` checks. */
export async function listContainersUsingImage(imageId: string, options: EngineOptions = {}): Promise<ContainerSummary[]> {
  return listContainers({ ancestor: [imageId] }, options);
}

export interface ExecStreams {
  /** Attached only when given (like `docker exec -i`). */
  stdin?: NodeJS.ReadableStream | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** A pseudo-terminal: output comes as one raw stream (like `docker exec -t`). */
  tty: boolean;
  size?: { rows: number; columns: number } | undefined;
}

/** Runs a command in a running container with its streams attached; resolves with its exit code. */
export async function execInContainer(
  id: string,
  command: string[],
  streams: ExecStreams,
  options: EngineOptions = {},
): Promise<number> {
  const docker = await dockerFor(options);
  const container = docker.getContainer(id);
  const exec = await call(options, () =>
    container.exec({
      Cmd: command,
      AttachStdin: streams.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      Tty: streams.tty,
    }),
  );
  const stream = (await call(options, () =>
    exec.start({ hijack: true, stdin: streams.stdin !== undefined, Tty: streams.tty }),
  )) as unknown as NodeJS.ReadWriteStream;
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  if (streams.tty) stream.pipe(streams.stdout, { end: false });
  else docker.modem.demuxStream(stream, streams.stdout, streams.stderr);
  if (streams.stdin) streams.stdin.pipe(stream);
  if (streams.tty && streams.size) {
    await exec.resize({ h: streams.size.rows, w: streams.size.columns }).catch(() => {});
  }
  await ended;
  streams.stdin?.unpipe(stream);
  const info = await call(options, () => exec.inspect());
  return info.ExitCode ?? 1;
}
