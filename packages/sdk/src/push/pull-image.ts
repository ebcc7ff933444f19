import { type RegistryAuth, resolveRegistryAuth } from '../auth/registry-auth.js';
import { type Clock, systemClock } from '../clock.js';
import type { EngineOptions } from '../engine/client.js';
import { commonEngineError, engineErrorMessage, engineStatusCode } from '../engine/engine-errors.js';
import { inspectImage, startPull } from '../engine/images.js';
import { followJsonStream } from '../engine/json-stream.js';
import { RegistryError, throwIfAborted } from '../errors.js';
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

export interface PullImageOptions extends EngineOptions {
  /** `registry/name:tag` or `name@sha256:...`; `:latest` when neither is given. */
  image: string;
  auth?: RegistryAuth | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  configDir?: string | undefined;
  retry?: EngineRetrySettings | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface PullResult {
  imageId: string;
  digest?: string;
  bytesDownloaded: number;
  durationMs: number;
}

/**
 * Pulls an image into the engine, with per-layer progress. A failure (in the HTTP status or
 * inside the stream) rejects with a RegistryError carrying the registry's reason; transient
 * ones are retried like pushes.
 */
export async function pullImage(options: PullImageOptions): Promise<PullResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const ref = parseImageRef(options.image);
  const display = formatImageRef(ref, { defaultTag: true });
  throwIfAborted(options.signal);
  const auth = await resolveRegistryAuth(ref.registry, {
    auth: options.auth,
    env: options.env,
    // An empty directory name means the default one too.
    ...(options.configDir ? { configDir: options.configDir } : {}),
  });
  const secrets = auth ? ('password' in auth ? [auth.password] : [auth.identitytoken]) : [];
  const repo = formatImageRef({ registry: ref.registry, repository: ref.repository });
  const tag = ref.digest ?? ref.tag ?? 'latest';

  const failure = (engineMessage: string, cause?: unknown) => {
    const meaning = classifyRegistryFailure(engineMessage);
    const said = redact(engineMessage, secrets).replace(/\.$/, '');
    return new RegistryError(
      `Pulling ${display} from ${ref.registry} failed (${said}); ${registryFix(meaning, ref.registry, ref.repository)}.`,
      {
        code: meaning.code === 'PUSH_FAILED' ? 'PULL_FAILED' : meaning.code,
        reason: meaning.reason,
        cause: engineFailureCause(engineMessage, secrets, cause),
      },
    );
  };

  return inPhase(
    'pull',
    `Pulling ${display}`,
    { onProgress: options.onProgress, clock },
    async () => {
      const outcome = await withRetry(
        async () => {
          const decoder = new TransferStreamDecoder('pull', options.onProgress);
          try {
            const stream = await startPull(repo, tag, auth, ref.registry, options);
            await followJsonStream(stream, (message) => decoder.handle(message), options.signal);
          } catch (error) {
            const common = commonEngineError(error, options);
            if (common) throw common;
            const status = engineStatusCode(error);
            throw failure(engineErrorMessage(error) || `HTTP ${status}`, error);
          }
          if (decoder.failure !== undefined) throw failure(decoder.failure);
          return decoder.outcome();
        },
        engineTransferRetry('pull', { ...options, clock }),
      );
      const image = await inspectImage(ref.digest ? `${repo}@${ref.digest}` : `${repo}:${tag}`, options);
      if (!image) throw failure('the engine reported success but does not have the image');
      const durationMs = clock.now() - started;
      return {
        imageId: image.id,
        ...(outcome.digest ? { digest: outcome.digest } : {}),
        bytesDownloaded: outcome.bytesTransferred,
        durationMs,
      };
    },
    () => `Pulled ${display}`,
  );
}
