import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { type RegistryAuth, resolveRegistryAuth } from '../auth/registry-auth.js';
import { type Clock, systemClock } from '../clock.js';
import type { DockerfileAnalysis } from '../dockerfile/analysis.js';
import type { BuildSession } from '../engine/buildkit-session.js';
import { dockerFor, type EngineOptions } from '../engine/client.js';
import { commonEngineError, engineErrorMessage, engineStatusCode } from '../engine/engine-errors.js';
import {
  type Builder,
  type BuilderChoice,
  type BuildSettings,
  cancelBuild,
  engineBuildInfo,
  imageContent,
  inspectImage,
  removeImage,
  startBuild,
  tagImage,
} from '../engine/images.js';
import { followJsonStream } from '../engine/json-stream.js';
import { BuildError, InvalidInputError, ShipError, throwIfAborted } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressEvent, type ProgressListener } from '../progress.js';
import {
  type BuildSecret,
  type BuildSsh,
  dockerfileSyntax,
  inlineCacheCanCrash,
  inlineCacheCrashWarning,
  parseCacheTo,
  samePlatform,
  unusedBuildArgWarning,
} from './build-options.js';
import { BuildStreamDecoder } from './build-stream.js';
import type { BuildContextPlan } from './context.js';
import { DockerignoreMatcher, parseDockerignore } from './dockerignore.js';
import type { BuildOutput, PreparedOutput, WrittenOutput } from './output.js';
import { readSecrets } from './read-secrets.js';
import { declaredArgs, secretBuildArgWarning } from './secret-build-args.js';
import { sshAgents } from './ssh-agents.js';

export interface BuildImageOptions extends EngineOptions, BuildSettings {
  /** The build context directory. */
  context: string;
  /** Relative to `context`, or absolute; may lie outside the context. Default `Dockerfile`. */
  dockerfile?: string | undefined;
  /** A reference to tag the result with (added to `tags`). */
  image?: string | undefined;
  /** Full references (`registry/name:tag`) to tag the result with. */
  tags?: string[] | undefined;
  /** The stage to build; checked against the Dockerfile before anything is sent. */
  target?: string | undefined;
  /** `auto` (default): BuildKit when the engine offers it (Docker, API 1.39+), else the classic builder. */
  builder?: BuilderChoice | undefined;
  /** BuildKit: secrets for `RUN --mount=type=secret`; their values appear in no image, event or error. */
  secrets?: BuildSecret[] | undefined;
  /** BuildKit: SSH agents for `RUN --mount=type=ssh`. */
  ssh?: BuildSsh[] | undefined;
  /**
   * BuildKit: `inline` writes cache metadata into the image so `cacheFrom` can reuse it on a fresh engine;
   * `none` or nothing writes none. `auto` (what `release` does when not told): inline with BuildKit, except on
   * Docker before 23 when a `cacheFrom` image exists, where both together can crash the engine (moby/buildkit#1609).
   */
  cacheTo?: string[] | 'auto' | undefined;
  /** Credentials for a private `FROM` (BuildKit asks per registry; default: the push's resolver). */
  auth?: RegistryAuth | undefined;
  /**
   * BuildKit: export the final stage's files (a tar, or into a directory) instead of making an
   * image; nothing is tagged and the result names where the output went.
   */
  output?: BuildOutput | undefined;
  /** Where secrets with `env` are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  clock?: Clock | undefined;
}

/** What every build reports, whether it made an image or exported an output. */
export interface BuildRun {
  /** The builder that ran. */
  builder: Builder;
  durationMs: number;
  warnings: string[];
  /** Dockerfile instructions the builder ran (or took from its cache). */
  steps: number;
  cachedSteps: number;
  /** Bytes of build context (tar) sent to the engine. */
  contextBytes: number;
  /** Files and directories sent from the context directory. */
  contextEntries: number;
}

export interface BuildResult extends BuildRun {
  imageId: string;
  tags: string[];
  /** Bytes, as the engine counts the image. */
  size: number;
}

/** A build with an `output`: no image, the files went where `output` says. */
export interface BuildOutputResult extends BuildRun {
  output: WrittenOutput;
}

/**
 * Builds an image with BuildKit or the classic builder (`builder`, default `auto`). Resolves only
 * when the engine reported an image ID; every failure (a step, a missing base image or secret, a
 * broken connection) rejects with a BuildError or a ShipError that says what to fix. The result,
 * the progress events and the errors have the same shape with either builder. Aborting closes
 * the request and cancels a BuildKit build, which stops its running step.
 */
export function buildImage(options: BuildImageOptions & { output: BuildOutput }): Promise<BuildOutputResult>;
export function buildImage(options: BuildImageOptions & { output?: undefined }): Promise<BuildResult>;
export async function buildImage(options: BuildImageOptions): Promise<BuildResult | BuildOutputResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  // An export makes no image, so there is nothing to tag (buildx ignores the tags too).
  const tags = options.output ? [] : buildTags(options);
  throwIfAborted(options.signal);
  const cacheTo = options.cacheTo === 'auto' ? [] : (options.cacheTo ?? []).map(parseCacheTo);

  // Asked now, read below: the engine's /version (and, on a client's first use, loading dockerode, ~150 ms here)
  // overlaps reading the context and the Dockerfile. A bad input still fails first, with its own error.
  const engineInfo = engineBuildInfo(options);
  engineInfo.catch(() => {});
  // The Dockerfile parser (dockerfile-ast) and tar-fs load with the first build, not with the SDK's entry points.
  const [{ analyzeDockerfile, assertTarget }, { packBuildContext, planBuildContext }] = await Promise.all([
    import('../dockerfile/analysis.js'),
    import('./context.js'),
  ]);
  const plan = await planBuildContext({
    context: options.context,
    // An empty name means the context's Dockerfile, as when none is given.
    ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
  });
  const analysis = analyze(() => analyzeDockerfile(plan.dockerfileText, { buildArgs: options.buildArgs }));
  if (options.target !== undefined && analysis)
    assertTarget(analysis, options.target, basename(options.dockerfile ?? 'Dockerfile'));

  const engine = await engineInfo;
  const exposed = analysis ? exposedDockerfile(plan, analysis, options.target) : undefined;
  const builder = chooseBuilder(options, cacheTo, engine.buildkit, engine.description, exposed);
  if (options.platform && !samePlatform(options.platform, engine.platform)) {
    throw new ShipError(
      'PLATFORM_UNSUPPORTED',
      `This engine builds only ${engine.platform}, not ${options.platform}; drop the platform option or build on a ${options.platform} engine.`,
    );
  }
  const secrets = builder === 'buildkit' ? await readSecrets(options.secrets ?? [], options.env ?? process.env) : new Map();
  const agents = builder === 'buildkit' ? await sshAgents(options.ssh ?? [], options.env ?? process.env) : new Map();
  const buildKit = builder === 'buildkit' ? await loadBuildKit() : undefined;
  const onProgress = redacting(
    options.onProgress,
    [...secrets.values()].map((value) => value.toString('utf8')),
  );

  return inPhase<BuildResult | BuildOutputResult>(
    'build',
    `Building ${tags[0] ?? options.context}`,
    { onProgress, clock },
    async () => {
      const why = exposed && builder === 'classic' && engine.buildkit ? ` because ${exposed}` : '';
      onProgress?.({
        type: 'info',
        phase: 'build',
        message: `Builder: ${builder === 'buildkit' ? 'BuildKit' : 'classic'} (${engine.description})${why}`,
      });
      const warnings: string[] = [];
      const warn = (message: string | undefined) => {
        if (!message) return;
        warnings.push(message);
        onProgress?.({ type: 'warning', phase: 'build', message });
      };
      warn(secretBuildArgWarning(options.buildArgs, analysis, options.target));
      if (builder === 'buildkit' && analysis) {
        const declared = declaredArgs(analysis, options.target);
        for (const arg of analysis.globalArgs) declared.add(arg.name);
        warn(unusedBuildArgWarning(options.buildArgs, declared));
      }
      if (builder === 'buildkit') warn(inlineCacheCrashWarning(engine.version, options.cacheFrom, cacheTo));
      const inline =
        cacheTo.includes('inline') ||
        (options.cacheTo === 'auto' &&
          builder === 'buildkit' &&
          !options.output &&
          (await inlineByDefault(engine.version, options, onProgress)));
      const buildArgs = inline ? { ...options.buildArgs, BUILDKIT_INLINE_CACHE: '1' } : options.buildArgs;
      // What the first tag names now: a rebuild that differs from it only where the engine shows nothing keeps it.
      const previous =
        builder === 'buildkit' && tags[0] !== undefined
          ? (await inspectImage(tags[0], options).catch(() => undefined))?.id
          : undefined;
      const syntax = dockerfileSyntax(plan.dockerfileText);
      const decoder = buildKit
        ? new buildKit.BuildKitStreamDecoder({ onProgress, syntax, makesImage: !options.output })
        : new BuildStreamDecoder({
            onProgress,
            resolveBaseImage: (written) => analysis?.stages.find((stage) => stage.rawBaseImage === written)?.baseImage ?? written,
          });
      const packed = packBuildContext(plan);
      let session: BuildSession | undefined;
      let output: PreparedOutput | undefined;
      const buildId = randomUUID();
      const cancel = () => void cancelBuild(buildId, options).catch(() => {});
      try {
        if (buildKit) {
          if (options.output) output = await buildKit.prepareOutput(options.output);
          session = await buildKit
            .openBuildSession(await dockerFor(options), {
              credentials: (host) => sessionCredentials(host, options),
              secrets,
              sshAgents: agents,
              ...(output ? { output: output.receiver } : {}),
            })
            .catch((error: unknown) => {
              throw commonEngineError(error, options) ?? engineRefused(error);
            });
          options.signal?.addEventListener('abort', cancel, { once: true });
        }
        const stream = await startBuild(
          packed.stream,
          {
            dockerfile: plan.dockerfileInTar,
            tags,
            builder,
            ...(session ? { session: session.id, buildId } : {}),
            ...(output ? { exporter: output.exporter } : {}),
            buildArgs,
            target: options.target,
            labels: options.labels,
            noCache: options.noCache,
            pull: options.pull,
            platform: options.platform,
            cacheFrom: options.cacheFrom,
          },
          options,
        ).catch((error: unknown) => {
          throw commonEngineError(error, options) ?? engineRefused(error);
        });
        await followJsonStream(stream, (message) => decoder.handle(message), options.signal).catch((error: unknown) => {
          throw commonEngineError(error, options) ?? connectionBroke(error);
        });
        const outcome = decoder.finish();
        for (const warning of outcome.warnings) warnings.push(warning);
        const run = {
          builder,
          warnings,
          steps: outcome.steps,
          cachedSteps: outcome.cachedSteps,
          contextBytes: packed.bytes(),
          contextEntries: plan.entries.length,
        };
        if (output) {
          const written = await writtenOutput(output);
          return { ...run, output: written, durationMs: clock.now() - started };
        }
        const imageId = await keepPreviousImage(outcome.imageId, previous, tags, options, onProgress);
        const image = await inspectImage(imageId, options);
        return { ...run, imageId, tags, size: image?.size ?? 0, durationMs: clock.now() - started };
      } catch (error) {
        packed.stream.destroy();
        await output?.discard();
        throw redactError(error, secrets);
      } finally {
        options.signal?.removeEventListener('abort', cancel);
        session?.close();
      }
    },
    (result) =>
      'output' in result
        ? `Exported the build to ${result.output.dest === '-' ? 'standard output' : result.output.dest} (${result.output.type})`
        : `Built ${result.imageId.slice(7, 19)}${tags.length ? ` as ${tags.join(', ')}` : ''}`,
  );
}

/**
 * `cacheTo: 'auto'`: inline cache, except where it can crash the engine (Docker before 23 reading a
 * `cacheFrom` image that exists, here or in its registry; a ref nobody pushed yet imports nothing).
 * When the registry cannot be asked, the image is taken to exist.
 */
async function inlineByDefault(
  engineVersion: string,
  options: BuildImageOptions,
  onProgress: ProgressListener | undefined,
): Promise<boolean> {
  const cacheFrom = options.cacheFrom ?? [];
  if (cacheFrom.length === 0 || !inlineCacheCanCrash(engineVersion)) return true;
  const existing = await firstExisting(cacheFrom, options);
  if (existing === undefined) return true;
  onProgress?.({
    type: 'info',
    phase: 'build',
    message: `Inline cache: not written, because this build reads cache from ${existing} and both together can crash Docker ${engineVersion} (moby/buildkit#1609); set cache-to inline to write it anyway, or upgrade to Docker 23 or later.`,
  });
  return false;
}

async function firstExisting(refs: string[], options: BuildImageOptions): Promise<string | undefined> {
  const { withRepositoryClient } = await import('../registry/list-tags.js');
  for (const ref of refs) {
    if (await inspectImage(ref, options).catch(() => undefined)) return ref;
    const found = await withRepositoryClient(
      ref,
      { auth: options.auth, env: options.env, signal: options.signal },
      (client, repo) => client.headManifest(repo.repository, repo.digest ?? repo.tag ?? 'latest'),
    ).catch(() => true);
    if (found) return ref;
  }
  return undefined;
}

/**
 * BuildKit writes inline cache metadata in an order that changes from build to build (docs/buildkit.md), so
 * a fully cached rebuild can be a new image id with the same content. When the new image matches the one
 * the first tag named before the build in all the engine shows (config, layers, history), the tags go back
 * to that image and the new one is removed: the same source keeps its image id and its pushed digest.
 */
async function keepPreviousImage(
  built: string,
  previous: string | undefined,
  tags: string[],
  options: BuildImageOptions,
  onProgress: ProgressListener | undefined,
): Promise<string> {
  // The same id (every warm build without inline cache) needs no comparison; the earlier image is still in
  // the engine by its id (untagged) until something prunes it, and then it is not kept.
  if (previous === undefined || previous === built) return built;
  const [before, after] = await Promise.all([previous, built].map((ref) => imageContent(ref, options).catch(() => undefined)));
  if (before === undefined || before.content !== after?.content) return built;
  for (const tag of tags) await tagImage(previous, tag, options);
  await removeImage(built, options).catch(() => {});
  onProgress?.({
    type: 'info',
    phase: 'build',
    message: `Kept image ${previous.slice(7, 19)}: the rebuild differs from it only in BuildKit's cache metadata`,
  });
  return previous;
}

/** The export, once the engine has sent all of it, moved into place. */
async function writtenOutput(output: PreparedOutput): Promise<WrittenOutput> {
  if (!output.receiver.started) {
    throw new BuildError(
      'The engine finished the build without sending the output; run the build again, and check the engine log if it repeats.',
    );
  }
  return output.commit().catch((cause: unknown) => {
    throw new BuildError(
      `The build succeeded but its output could not be written (${cause instanceof Error ? cause.message : String(cause)}); check the destination's free space and permissions and build again.`,
      { cause },
    );
  });
}

/**
 * The BuildKit session (gRPC), its status decoder (protobufjs) and the `--output` receivers, loaded only for a BuildKit
 * build: they are the SDK's heaviest dependencies, and importing the SDK, or a classic build,
 * must not load them.
 */
async function loadBuildKit() {
  const [{ BuildKitStreamDecoder }, { openBuildSession }, { prepareOutput }] = await Promise.all([
    import('./buildkit-stream.js'),
    import('../engine/buildkit-session.js'),
    import('./output.js'),
  ]);
  return { BuildKitStreamDecoder, openBuildSession, prepareOutput };
}

/**
 * BuildKit reads an uploaded context as it is: unlike the classic builder it does not hide the
 * Dockerfile from `COPY` when `.dockerignore` lists it or when it came from outside the context
 * (and travels in the tar under a made-up name). Says why when a COPY/ADD of the built stages
 * could take it; undefined when none can.
 */
function exposedDockerfile(plan: BuildContextPlan, analysis: DockerfileAnalysis, target: string | undefined): string | undefined {
  const outside = plan.generated.some((file) => file.name === plan.dockerfileInTar);
  const ignored =
    !outside &&
    plan.ignoreFile !== undefined &&
    new DockerignoreMatcher(parseDockerignore(plan.ignoreText)).ignores(plan.dockerfileInTar);
  if (!outside && !ignored) return undefined;
  for (const stage of analysis.stagesForTarget(target)) {
    for (const instruction of stage.instructions) {
      if ((instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') || instruction.flags.from !== undefined) continue;
      if (copySources(instruction.args).some((source) => couldTake(source, plan.dockerfileInTar))) {
        return `the Dockerfile is ${outside ? 'outside the context' : 'listed in .dockerignore'} and BuildKit would let \`${instruction.keyword} ${instruction.args}\` copy it into the image`;
      }
    }
  }
  return undefined;
}

function copySources(args: string): string[] {
  const text = args.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.slice(0, -1).map(String);
    } catch {
      // Shell form after all.
    }
  }
  return text.split(/\s+/).slice(0, -1);
}

function couldTake(source: string, path: string): boolean {
  const normalized = source.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (normalized === '' || normalized === '.' || /[*?[\]]/.test(normalized)) return true;
  return path === normalized || path.startsWith(`${normalized}/`);
}

function chooseBuilder(
  options: BuildImageOptions,
  cacheTo: readonly string[],
  engineHasBuildKit: boolean,
  engine: string,
  exposed: string | undefined,
): Builder {
  const choice = options.builder ?? 'auto';
  if (options.output) {
    if (!engineHasBuildKit) {
      throw new InvalidInputError(
        `An output (--output) needs BuildKit, which this engine (${engine}) does not have; build on a Docker engine (API 1.39 or later) or leave the output out.`,
      );
    }
    if (choice === 'classic') {
      throw new InvalidInputError(
        "An output (--output) needs BuildKit, and the classic builder was chosen; use builder 'buildkit' or 'auto' (--builder buildkit), or leave the output out.",
      );
    }
  }
  if (choice === 'buildkit' && !engineHasBuildKit) {
    throw new InvalidInputError(`The engine (${engine}) has no BuildKit; build with builder 'classic' or 'auto'.`);
  }
  if (choice === 'buildkit' && exposed) {
    throw new InvalidInputError(
      `Not building with BuildKit: ${exposed}; move the Dockerfile into the context (and out of .dockerignore), copy only what the image needs, or use builder 'auto' or 'classic'.`,
    );
  }
  const builder: Builder = choice === 'classic' || !engineHasBuildKit || exposed ? 'classic' : 'buildkit';
  if (builder === 'classic') {
    const needs = [
      options.secrets?.length ? 'secrets' : undefined,
      options.ssh?.length ? 'ssh' : undefined,
      cacheTo.includes('inline') ? 'cache-to' : undefined,
      options.output ? 'output' : undefined,
    ].filter(Boolean);
    if (needs.length > 0) {
      throw new InvalidInputError(
        `${needs.join(', ')} need${needs.length === 1 ? 's' : ''} BuildKit, and this build uses the classic builder (${engine}); drop ${needs.length === 1 ? 'it' : 'them'} or build with BuildKit on a Docker engine.`,
      );
    }
  }
  return builder;
}

async function sessionCredentials(host: string, options: BuildImageOptions) {
  const auth = await resolveRegistryAuth(host, { auth: options.auth, env: options.env });
  if (!auth) return undefined;
  return 'identitytoken' in auth
    ? { username: '', secret: auth.identitytoken }
    : { username: auth.username, secret: auth.password };
}

/** Progress with every secret value replaced: a step that prints its secret still shows none. */
function redacting(listener: ProgressListener | undefined, values: string[]): ProgressListener | undefined {
  const secrets = values.filter((value) => value.length >= 3);
  if (!listener || secrets.length === 0) return listener;
  return (event: ProgressEvent) =>
    listener(
      JSON.parse(
        redact(
          JSON.stringify(event),
          secrets.map((value) => JSON.stringify(value).slice(1, -1)),
        ),
      ) as ProgressEvent,
    );
}

function redact(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('***');
  return result;
}

function redactError(error: unknown, secrets: Map<string, Buffer>): unknown {
  if (!(error instanceof BuildError) || secrets.size === 0) return error;
  const values = [...secrets.values()].map((value) => value.toString('utf8')).filter((value) => value.length >= 3);
  const message = redact(error.message, values);
  const logTail = error.logTail?.map((line) => redact(line, values));
  if (message === error.message && JSON.stringify(logTail) === JSON.stringify(error.logTail)) return error;
  return new BuildError(message, {
    code: error.code,
    step: error.step === undefined ? undefined : redact(error.step, values),
    exitCode: error.exitCode,
    logTail,
  });
}

function buildTags(options: BuildImageOptions): string[] {
  const tags = [...(options.tags ?? []), ...(options.image ? [options.image] : [])].map((tag) => tag.trim());
  for (const tag of tags) {
    const ref = parseImageRef(tag);
    if (ref.digest) {
      throw new InvalidInputError(`The tag '${tag}' names a digest, which a build cannot produce; use name:tag.`);
    }
  }
  return [...new Set(tags)];
}

/** The analysis when the Dockerfile parses; the engine reports syntax errors itself. */
function analyze(parse: () => DockerfileAnalysis): DockerfileAnalysis | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ShipError) throw error;
    return undefined;
  }
}

function engineRefused(error: unknown): BuildError {
  const message = engineErrorMessage(error).replace(/\.$/, '');
  const status = engineStatusCode(error);
  return new BuildError(
    `The engine refused the build${status ? ` (HTTP ${status})` : ''}: ${message}; fix the Dockerfile or the build options and build again.`,
    { cause: error },
  );
}

function connectionBroke(error: unknown): BuildError {
  return new BuildError(
    `The connection to the engine broke during the build (${engineErrorMessage(error)}); check that the engine is still running and build again.`,
    { cause: error },
  );
}
