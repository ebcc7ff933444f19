import { AbortedError, ShipError } from '../errors.js';
import { type EngineOptions, engineUnavailable, isEngineUnreachable } from './client.js';

/**
 * The one translator of Engine API failures into ShipErrors. Every engine call goes through
 * `commonEngineError` (no engine, abort) and, unless it knows better, `translateEngineError`.
 */

interface EngineHttpError {
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
  name?: string;
  code?: string;
}

/** The engine's own message from a dockerode error (`(HTTP code 404) no such image - ...` becomes the message). */
export function engineErrorMessage(error: unknown): string {
  const detail = error as EngineHttpError | undefined;
  const fromJson = detail?.json?.message;
  if (typeof fromJson === 'string' && fromJson !== '') return fromJson.trim();
  return String(detail?.message ?? error)
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .trim();
}

export function engineStatusCode(error: unknown): number | undefined {
  const status = (error as EngineHttpError | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Errors every engine call shares: a ShipError already made, abort (AbortedError) and no engine
 * (EngineUnavailableError with the fix). Anything else is the caller's to interpret.
 */
export function commonEngineError(
  error: unknown,
  options: EngineOptions & { signal?: AbortSignal | undefined },
): ShipError | undefined {
  if (error instanceof ShipError) return error;
  if (options.signal?.aborted || (error as EngineHttpError | undefined)?.name === 'AbortError') {
    return new AbortedError(undefined, { cause: error });
  }
  if (engineStatusCode(error) === undefined && isEngineUnreachable(error)) {
    return engineUnavailable(options, error);
  }
  return undefined;
}

/** IMAGE_NOT_FOUND, worded once for every call that needs an image the engine lacks. */
export function imageNotFound(ref: string, cause?: unknown): ShipError {
  return new ShipError('IMAGE_NOT_FOUND', `The image '${ref}' is not in the engine; build or pull it first.`, { cause });
}

/**
 * Any engine failure as a ShipError: the shared cases first, then a 404 on `image` as
 * IMAGE_NOT_FOUND, else INTERNAL with the engine's own words about what was being done.
 */
export function translateEngineError(
  error: unknown,
  options: EngineOptions & { signal?: AbortSignal | undefined },
  context: { doing: string; image?: string | undefined },
): ShipError {
  const common = commonEngineError(error, options);
  if (common) return common;
  if (context.image !== undefined && engineStatusCode(error) === 404) return imageNotFound(context.image, error);
  return new ShipError('INTERNAL', `The engine refused ${context.doing}: ${engineErrorMessage(error)}.`, { cause: error });
}
