import type { Readable } from 'node:stream';
import type { ImageInspectInfo } from 'dockerode';
import type { RegistryAuth } from '../auth/registry-auth.js';
import { throwIfAborted } from '../errors.js';
import { type DockerClient, dockerFor, type EngineOptions } from './client.js';
import { commonEngineError, engineStatusCode, translateEngineError } from './engine-errors.js';
import { type EngineBuilder, type EngineVersionInfo, engineBuilders, engineProduct } from './info.js';

/**
 * Images through the Engine API: the only place that knows dockerode's image calls. Streams
 * (build, push, pull) are returned raw; `json-stream.ts` decodes them and the callers in
 * `build/` and `push/` decide what they mean.
 */
export interface ImageHealthcheck {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Bytes, as `docker images` counts them. */
  size: number;
  layers: number;
  /** ISO 8601. */
  created: string;
  labels: Record<string, string>;
  exposedPorts: number[];
  healthcheck?: ImageHealthcheck;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  env: string[];
  architecture: string;
  os: string;
}

export interface ImageHistoryEntry {
  id: string;
  createdBy: string;
  size: number;
  created: number;
  tags: string[];
  comment: string;
}

export type EngineCallOptions = EngineOptions & { signal?: AbortSignal | undefined };

async function call<T>(options: EngineCallOptions, ref: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateEngineError(error, options, { image: ref, doing: `the request for '${ref}'` });
  }
}

const nanosToMs = (value: number | undefined) => (value ? Math.round(value / 1_000_000) : undefined);

async function rawInspect(ref: string, options: EngineCallOptions): Promise<ImageInspectInfo | undefined> {
  throwIfAborted(options.signal);
  try {
    return await (await dockerFor(options)).getImage(ref).inspect();
  } catch (error) {
    if (engineStatusCode(error) === 404) return undefined;
    throw translateEngineError(error, options, { doing: `inspecting '${ref}'` });
  }
}

/** The image, or undefined when the engine does not have it. */
export async function inspectImage(ref: string, options: EngineCallOptions = {}): Promise<ImageInfo | undefined> {
  const raw = await rawInspect(ref, options);
  if (!raw) return undefined;
  const config = raw.Config ?? {};
  const health = (
    config as { Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number } }
  ).Healthcheck;
  const exposed = Object.keys(config.ExposedPorts ?? {})
    .map((key) => Number.parseInt(key, 10))
    .filter((port) => Number.isFinite(port))
    .sort((a, b) => a - b);
  const info: ImageInfo = {
    id: raw.Id,
    repoTags: raw.RepoTags ?? [],
    repoDigests: raw.RepoDigests ?? [],
    size: raw.Size,
    layers: raw.RootFS?.Layers?.length ?? 0,
    created: raw.Created,
    labels: config.Labels ?? {},
    exposedPorts: exposed,
    env: config.Env ?? [],
    architecture: raw.Architecture,
    os: raw.Os,
  };
  if (health?.Test && health.Test.length > 0 && health.Test[0] !== 'NONE') {
    const intervalMs = nanosToMs(health.Interval);
    const timeoutMs = nanosToMs(health.Timeout);
    const startPeriodMs = nanosToMs(health.StartPeriod);
    info.healthcheck = {
      test: health.Test,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(startPeriodMs === undefined ? {} : { startPeriodMs }),
      ...(health.Retries ? { retries: health.Retries } : {}),
    };
  }
  if (config.User) info.user = config.User;
  if (config.Entrypoint) info.entrypoint = typeof config.Entrypoint === 'string' ? [config.Entrypoint] : config.Entrypoint;
  if (config.Cmd) info.cmd = config.Cmd;
  if (config.WorkingDir) info.workingDir = config.WorkingDir;
  return info;
}

/** Tags `source` (an ID or reference) as `ref` (`registry/name:tag`; `:latest` when no tag). */
export async function tagImage(source: string, ref: string, options: EngineCallOptions = {}): Promise<void> {
  const { repo, tag } = splitTag(ref);
  await call(options, source, async () =>
    (await dockerFor(options)).getImage(source).tag({ repo, tag, ...(options.signal ? { abortSignal: options.signal } : {}) }),
  );
}

export async function removeImage(ref: string, options: EngineCallOptions & { force?: boolean | undefined } = {}): Promise<void> {
  await call(options, ref, async () =>
    (await dockerFor(options)).getImage(ref).remove({ force: options.force ?? false, abortSignal: options.signal }),
  );
}

/** The image's layers, newest first, with the instruction that made each. */
export async function imageHistory(ref: string, options: EngineCallOptions = {}): Promise<ImageHistoryEntry[]> {
  throwIfAborted(options.signal);
  const history = (await call(options, ref, async () => (await dockerFor(options)).getImage(ref).history())) as Array<{
    Id: string;
    CreatedBy: string;
    Size: number;
    Created: number;
    Tags: string[] | null;
    Comment: string;
  }>;
  return history.map((entry) => ({
    id: entry.Id,
    createdBy: entry.CreatedBy,
    size: entry.Size,
    created: entry.Created,
    tags: entry.Tags ?? [],
    comment: entry.Comment,
  }));
}

/**
 * The image's id and a text of all the engine shows of it: config, layers (content digests), platform,
 * creation time and history. Two images with the same text differ only in config fields the engine does
 * not show, such as BuildKit's inline cache metadata. Undefined when the engine does not have the image.
 */
export async function imageContent(
  ref: string,
  options: EngineCallOptions = {},
): Promise<{ id: string; content: string } | undefined> {
  const raw = await rawInspect(ref, options);
  if (!raw) return undefined;
  const history = await imageHistory(raw.Id, options);
  const content = JSON.stringify({
    config: raw.Config,
    layers: raw.RootFS?.Layers ?? [],
    os: raw.Os,
    architecture: raw.Architecture,
    variant: (raw as { Variant?: string }).Variant,
    author: raw.Author,
    created: raw.Created,
    comment: raw.Comment,
    // Only the top entry has an id (the image's own): the rest of each entry is the content.
    history: history.map((entry) => [entry.createdBy, entry.size, entry.created, entry.comment]),
  });
  return { id: raw.Id, content };
}

/** `registry/name:tag` to dockerode's `{ repo, tag }` (the tag is what follows the last `:` after the last `/`). */
export function splitTag(ref: string): { repo: string; tag: string } {
  const withoutDigest = ref.split('@')[0] ?? ref;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/')) return { repo: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { repo: withoutDigest, tag: 'latest' };
}

/** Which builder runs a build: `auto` picks BuildKit when the engine offers it, else the classic builder. */
export type BuilderChoice = 'auto' | 'buildkit' | 'classic';
export type Builder = EngineBuilder;

/** What a build asks of the builder besides the context, the Dockerfile and the tags. */
export interface BuildSettings {
  /** The stage to build. */
  target?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  labels?: Record<string, string> | undefined;
  noCache?: boolean | undefined;
  /** Pull newer versions of the base images. */
  pull?: boolean | undefined;
  platform?: string | undefined;
  /** Images whose layers (BuildKit: inline cache metadata) the build may reuse. */
  cacheFrom?: string[] | undefined;
}

export interface BuildRequest extends BuildSettings {
  /** The Dockerfile's path inside the context tar. */
  dockerfile: string;
  tags: string[];
  builder: Builder;
  /** BuildKit only: the session that serves credentials, secrets and SSH. */
  session?: string;
  /** BuildKit only: the id `/build/cancel` takes. */
  buildId?: string;
  /** BuildKit only: export the result with this exporter (`tar`, `local`) through the session instead of making an image. */
  exporter?: 'tar' | 'local';
}

/**
 * Starts a build and returns its JSON-lines stream. The classic builder removes intermediate
 * containers even when a step fails (`forcerm`), so a failed or aborted build leaves none behind;
 * BuildKit keeps no containers and streams `moby.buildkit.trace` messages instead of text.
 */
export async function startBuild(context: Readable, request: BuildRequest, options: EngineCallOptions = {}): Promise<Readable> {
  const query: Record<string, unknown> = {
    dockerfile: request.dockerfile,
    t: request.tags,
    rm: true,
    forcerm: true,
    abortSignal: options.signal,
  };
  if (request.builder === 'buildkit') {
    // A number, not the string '2': dockerode then opens no session of its own and uses ours.
    query.version = 2;
    if (request.session) query.session = request.session;
    if (request.buildId) query.buildid = request.buildId;
    // A JSON string: dockerode would send an array as repeated keys. `dest` stays on our side.
    if (request.exporter) query.outputs = JSON.stringify([{ Type: request.exporter, Attrs: {} }]);
  }
  if (request.target) query.target = request.target;
  if (request.buildArgs && Object.keys(request.buildArgs).length > 0) query.buildargs = request.buildArgs;
  if (request.labels && Object.keys(request.labels).length > 0) query.labels = request.labels;
  if (request.noCache) query.nocache = true;
  if (request.pull) query.pull = true;
  if (request.platform) query.platform = request.platform;
  if (request.cacheFrom && request.cacheFrom.length > 0) query.cachefrom = request.cacheFrom;
  try {
    return (await (await dockerFor(options)).buildImage(context, query)) as Readable;
  } catch (error) {
    context.destroy();
    throw commonEngineError(error, options) ?? error;
  }
}

/** Asks BuildKit to stop the build `buildId` (and its running step); best effort. */
export async function cancelBuild(buildId: string, options: EngineOptions = {}): Promise<void> {
  const docker = await dockerFor(options);
  await new Promise<void>((resolve) => {
    docker.modem.dial(
      { method: 'POST', path: '/build/cancel?', options: { id: buildId }, statusCodes: { 200: true, 404: true, 500: true } },
      () => resolve(),
    );
  });
}

export interface EngineBuildInfo {
  /** The engine's own BuildKit can build (a Docker engine with API 1.39 or later). */
  buildkit: boolean;
  /** `os/arch` of the engine, e.g. `linux/amd64`. */
  platform: string;
  /** e.g. `Docker 20.10.24 (API 1.41)`. */
  description: string;
  /** The engine's own version, e.g. `20.10.24+dfsg1`; `?` when it does not say. */
  version: string;
}

const buildInfoCache = new WeakMap<object, Promise<EngineBuildInfo>>();

/** What the engine can build with, read once per client from `/version`. */
export async function engineBuildInfo(options: EngineCallOptions = {}): Promise<EngineBuildInfo> {
  const docker = await dockerFor(options);
  let info = buildInfoCache.get(docker);
  if (!info) {
    info = readBuildInfo(docker, options);
    buildInfoCache.set(docker, info);
    info.catch(() => buildInfoCache.delete(docker));
  }
  return info;
}

async function readBuildInfo(docker: DockerClient, options: EngineCallOptions): Promise<EngineBuildInfo> {
  let version: EngineVersionInfo;
  try {
    version = (await docker.version()) as EngineVersionInfo;
  } catch (error) {
    throw commonEngineError(error, options) ?? error;
  }
  return {
    buildkit: engineBuilders(version).includes('buildkit'),
    platform: `${version.Os ?? 'linux'}/${version.Arch ?? 'amd64'}`,
    description: `${engineProduct(version)} ${version.Version ?? '?'} (API ${version.ApiVersion ?? '?'})`,
    version: version.Version ?? '?',
  };
}

/** The `X-Registry-Auth` body: only what the engine needs, never logged. */
export function authConfig(auth: RegistryAuth | undefined, serveraddress: string): Record<string, string> {
  if (!auth) return {};
  if ('identitytoken' in auth) return { identitytoken: auth.identitytoken, serveraddress: auth.serveraddress ?? serveraddress };
  return { username: auth.username, password: auth.password, serveraddress: auth.serveraddress ?? serveraddress };
}

/** Starts pushing `repo:tag` (already tagged in the engine) and returns the JSON-lines stream. */
export async function startPush(
  repo: string,
  tag: string,
  auth: RegistryAuth | undefined,
  registry: string,
  options: EngineCallOptions = {},
): Promise<Readable> {
  // dockerode sends `{}` when there is no auth: the engine then pushes anonymously.
  const docker = await dockerFor(options);
  return (await docker.getImage(repo).push({
    tag,
    authconfig: authConfig(auth, registry),
    ...(options.signal ? { abortSignal: options.signal } : {}),
  })) as Readable;
}

/** Starts pulling `repo:tag` and returns the JSON-lines stream. */
export async function startPull(
  repo: string,
  tag: string,
  auth: RegistryAuth | undefined,
  registry: string,
  options: EngineCallOptions = {},
): Promise<Readable> {
  const docker = await dockerFor(options);
  return (await docker.createImage(authConfig(auth, registry), {
    fromImage: repo,
    tag,
    abortSignal: options.signal,
  })) as Readable;
}
