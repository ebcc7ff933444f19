import { type RegistryAuth, resolveRegistryAuth } from '../auth/registry-auth.js';
import { type Clock, systemClock } from '../clock.js';
import type { EngineOptions } from '../engine/client.js';
import { commonEngineError, engineErrorMessage } from '../engine/engine-errors.js';
import { inspectImage, splitTag, startPush, tagImage } from '../engine/images.js';
import { followJsonStream } from '../engine/json-stream.js';
import { InvalidInputError, PushError, throwIfAborted } from '../errors.js';
import { formatImageRef, parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { withRetry } from '../retry.js';
import {
  classifyRegistryFailure,
  type EngineRetrySettings,
  engineFailureCause,
  engineTransferRetry,
  redact,
  registryFix,
} from './registry-failure.js';
import { TransferStreamDecoder } from './transfer-stream.js';

/** Attempts per tag (the first included, default 5) and the backoff between them. */
export type PushRetryOptions = EngineRetrySettings;

export interface PushImageOptions extends EngineOptions {
  /** The image to push: an ID or a reference the engine has. */
  image: string;
  /** Full references (`registry/name:tag`) to push; each is tagged in the engine first if needed. */
  tags: string[];
  /** Credentials for every registry in `tags`; else resolved per registry (DOCKER_AUTH_CONFIG, docker config). */
  auth?: RegistryAuth | undefined;
  /** For resolving credentials when `auth` is not given. */
  env?: NodeJS.ProcessEnv | undefined;
  configDir?: string | undefined;
  retry?: PushRetryOptions | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface PushedRef {
  ref: string;
  digest: string;
  bytesUploaded: number;
  layersPushed: number;
  layersExisting: number;
  attempts: number;
}

export interface PushResult {
  /** The manifest digest the registry stored (the same for every tag of one image). */
  digest: string;
  refs: string[];
  /** Layer bytes the engine sent, over all tags and attempts that completed. */
  bytesUploaded: number;
  pushes: PushedRef[];
  durationMs: number;
}

/**
 * Pushes an image under each of `tags`. Never resolves for a failed push: the engine's in-stream
 * `errorDetail` becomes a PushError with the registry's reason (UNAUTHORIZED, DENIED,
 * NAME_UNKNOWN, BLOB_UNKNOWN...). Transient failures (reset connections, EOF, 5xx, 429,
 * `blob upload unknown`) are retried with backoff, one `retry` event each; others fail at once.
 * Credentials go to the engine in a header and never appear in a message or an event.
 */
export async function pushImage(options: PushImageOptions): Promise<PushResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  if (options.tags.length === 0)
    throw new InvalidInputError('pushImage needs at least one tag; pass tags like registry/name:tag.');
  const refs = options.tags.map((tag) => {
    const ref = parseImageRef(tag);
    if (ref.digest) throw new InvalidInputError(`'${tag}' names a digest; push to a tag (registry/name:tag).`);
    return { text: tag.trim(), ref };
  });
  throwIfAborted(options.signal);

  const source = await inspectImage(options.image, options);
  if (!source) {
    throw new PushError(`The image '${options.image}' is not in the engine; build or pull it before pushing.`, {
      code: 'IMAGE_NOT_FOUND',
      reason: 'IMAGE_NOT_FOUND',
      ref: options.image,
    });
  }

  return inPhase(
    'push',
    `Pushing ${refs.map((r) => r.text).join(', ')}`,
    { onProgress: options.onProgress, clock },
    async () => {
      const authByRegistry = new Map<string, RegistryAuth | undefined>();
      const pushes: PushedRef[] = [];
      for (const { text, ref } of refs) {
        const full = formatImageRef(ref, { defaultTag: true });
        if (!source.repoTags.some((existing) => sameRef(existing, full))) await tagImage(source.id, full, options);

        if (!authByRegistry.has(ref.registry)) {
          const resolved = await resolveRegistryAuth(ref.registry, {
            auth: options.auth,
            env: options.env,
            // An empty directory name means the default one too.
            ...(options.configDir ? { configDir: options.configDir } : {}),
          });
          authByRegistry.set(ref.registry, resolved);
        }
        const auth = authByRegistry.get(ref.registry);
        pushes.push(await pushOneTag(text, full, ref.registry, ref.repository, auth, options, clock));
      }

      const digest = pushes[0]?.digest ?? '';
      const durationMs = clock.now() - started;
      return {
        digest,
        refs: pushes.map((push) => push.ref),
        bytesUploaded: pushes.reduce((sum, push) => sum + push.bytesUploaded, 0),
        pushes,
        durationMs,
      };
    },
    (result) => `Pushed ${result.digest}`,
  );
}

async function pushOneTag(
  text: string,
  full: string,
  registry: string,
  repository: string,
  auth: RegistryAuth | undefined,
  options: PushImageOptions,
  clock: Clock,
): Promise<PushedRef> {
  const secrets = auth ? ('password' in auth ? [auth.password] : [auth.identitytoken]) : [];
  const { repo, tag } = splitTag(full);
  let attempts = 0;
  return withRetry(
    async () => {
      attempts += 1;
      const decoder = new TransferStreamDecoder('push', options.onProgress);
      try {
        const stream = await startPush(repo, tag, auth, registry, options);
        await followJsonStream(stream, (message) => decoder.handle(message), options.signal);
      } catch (error) {
        const common = commonEngineError(error, options);
        if (common) throw common;
        throw pushFailure(text, registry, repository, engineErrorMessage(error), secrets, error);
      }
      if (decoder.failure !== undefined) throw pushFailure(text, registry, repository, decoder.failure, secrets);
      const outcome = decoder.outcome();
      if (!outcome.digest) {
        throw new PushError(
          `The engine finished pushing ${text} without reporting a digest; push again and check the registry if it repeats.`,
          { reason: 'NO_DIGEST', ref: text },
        );
      }
      return {
        ref: text,
        digest: outcome.digest,
        bytesUploaded: outcome.bytesTransferred,
        layersPushed: outcome.layersMoved,
        layersExisting: outcome.layersPresent,
        attempts,
      };
    },
    engineTransferRetry('push', { ...options, clock }, (reason) => redact(reason, secrets)),
  );
}

function pushFailure(
  ref: string,
  registry: string,
  repository: string,
  engineMessage: string,
  secrets: string[],
  cause?: unknown,
): PushError {
  const failure = classifyRegistryFailure(engineMessage);
  const said = redact(engineMessage, secrets).replace(/\.$/, '');
  return new PushError(`Pushing ${ref} to ${registry} failed (${said}); ${registryFix(failure, registry, repository)}.`, {
    code: failure.code,
    reason: failure.reason,
    ref,
    cause: engineFailureCause(engineMessage, secrets, cause),
  });
}

function sameRef(a: string, b: string): boolean {
  try {
    return formatImageRef(parseImageRef(a), { defaultTag: true }) === formatImageRef(parseImageRef(b), { defaultTag: true });
  } catch {
    return false;
  }
}
