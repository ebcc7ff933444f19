import { basename } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { analyzeDockerfile, assertTarget, type DockerfileAnalysis } from '../dockerfile/analysis.js';
import type { EngineOptions } from '../engine/client.js';
import {
  type BuildSettings,
  commonEngineError,
  engineErrorMessage,
  engineStatusCode,
  inspectImage,
  startBuild,
} from '../engine/images.js';
import { followJsonStream } from '../engine/json-stream.js';
import { BuildError, InvalidInputError, ShipError, throwIfAborted } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { BuildStreamDecoder } from './build-stream.js';
import { packBuildContext, planBuildContext } from './context.js';
import { secretBuildArgWarning } from './secret-build-args.js';

export interface BuildImageOptions extends EngineOptions, BuildSettings {
  /** The build context directory. */
  context: string;
  /** Relative to `context`, or absolute; may lie outside the context. Default `Dockerfile`. */
  dockerfile?: string;
  /** A reference to tag the result with (added to `tags`). */
  image?: string;
  /** Full references (`registry/name:tag`) to tag the result with. */
  tags?: string[];
  /** The stage to build; checked against the Dockerfile before anything is sent. */
  target?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  clock?: Clock;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
  /** Bytes, as the engine counts the image. */
  size: number;
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

/**
 * Builds an image with the engine's classic builder. Resolves only when the engine reported an
 * image ID; every failure (a step, a missing base image, a broken connection) rejects with a
 * BuildError or a ShipError that says what to fix. Aborting destroys the request; the engine
 * then stops the build and removes its intermediate containers.
 */
export async function buildImage(options: BuildImageOptions): Promise<BuildResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const tags = buildTags(options);
  throwIfAborted(options.signal);

  const plan = await planBuildContext({
    context: options.context,
    ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
  });
  const analysis = analyze(plan.dockerfileText, options.buildArgs);
  if (options.target !== undefined && analysis)
    assertTarget(analysis, options.target, basename(options.dockerfile ?? 'Dockerfile'));

  return inPhase(
    'build',
    `Building ${tags[0] ?? options.context}`,
    { onProgress: options.onProgress, clock },
    async () => {
      const secretWarning = secretBuildArgWarning(options.buildArgs, analysis, options.target);
      if (secretWarning) options.onProgress?.({ type: 'warning', phase: 'build', message: secretWarning });
      const packed = packBuildContext(plan);
      const decoder = new BuildStreamDecoder({
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        resolveBaseImage: (written) => analysis?.stages.find((stage) => stage.rawBaseImage === written)?.baseImage ?? written,
      });
      try {
        const stream = await startBuild(
          packed.stream,
          {
            dockerfile: plan.dockerfileInTar,
            tags,
            ...pick(options, ['target', 'buildArgs', 'labels', 'noCache', 'pull', 'platform']),
          },
          options,
        ).catch((error: unknown) => {
          throw commonEngineError(error, options) ?? engineRefused(error);
        });
        await followJsonStream(stream, (message) => decoder.handle(message), options.signal).catch((error: unknown) => {
          throw commonEngineError(error, options) ?? connectionBroke(error);
        });
        const outcome = decoder.finish();
        const image = await inspectImage(outcome.imageId, options);
        return {
          imageId: outcome.imageId,
          tags,
          size: image?.size ?? 0,
          durationMs: clock.now() - started,
          warnings: secretWarning ? [secretWarning, ...outcome.warnings] : outcome.warnings,
          steps: outcome.steps,
          cachedSteps: outcome.cachedSteps,
          contextBytes: packed.bytes(),
          contextEntries: plan.entries.length,
        };
      } catch (error) {
        packed.stream.destroy();
        throw error;
      }
    },
    (result) => `Built ${result.imageId.slice(7, 19)}${tags.length ? ` as ${tags.join(', ')}` : ''}`,
  );
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
function analyze(text: string, buildArgs: Record<string, string> | undefined): DockerfileAnalysis | undefined {
  try {
    return analyzeDockerfile(text, buildArgs ? { buildArgs } : {});
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

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const result: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result;
}
