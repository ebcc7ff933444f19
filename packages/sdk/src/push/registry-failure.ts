import type { Clock } from '../clock.js';
import { AbortedError, EngineUnavailableError, ShipError, type ShipErrorCode } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { classifyRegistryError } from '../registry/errors.js';
import type { RetryOptions } from '../retry.js';

/**
 * What a registry failure reported by the engine means: the registry's error code as a
 * `reason`, the SDK's error code, and whether trying again can help (`classifyRegistryError`
 * decides that, so engine pushes and pulls retry what registry HTTP retries). The engine passes the
 * distribution client's text through (`unauthorized: authentication required`,
 * `blob upload unknown`, `received unexpected HTTP status: 503 Service Unavailable`, ...).
 */
export interface RegistryFailure {
  reason: string;
  code: ShipErrorCode;
  transient: boolean;
}

const RULES: Array<{ pattern: RegExp } & Omit<RegistryFailure, 'transient'>> = [
  {
    pattern: /unauthorized|authentication required|no basic auth credentials|incorrect username or password/i,
    reason: 'UNAUTHORIZED',
    code: 'REGISTRY_UNAUTHORIZED',
  },
  { pattern: /denied/i, reason: 'DENIED', code: 'REGISTRY_DENIED' },
  { pattern: /name unknown|repository name not known/i, reason: 'NAME_UNKNOWN', code: 'REGISTRY_NAME_UNKNOWN' },
  { pattern: /manifest unknown|not found: manifest/i, reason: 'MANIFEST_UNKNOWN', code: 'IMAGE_NOT_FOUND' },
  { pattern: /blob upload unknown/i, reason: 'BLOB_UPLOAD_UNKNOWN', code: 'PUSH_FAILED' },
  { pattern: /blob upload invalid/i, reason: 'BLOB_UPLOAD_INVALID', code: 'PUSH_FAILED' },
  { pattern: /blob unknown/i, reason: 'BLOB_UNKNOWN', code: 'PUSH_FAILED' },
  { pattern: /toomanyrequests|too many requests|\b429\b/i, reason: 'TOOMANYREQUESTS', code: 'REGISTRY_ERROR' },
  {
    pattern:
      /\b(500|502|503|504)\b|internal server error|bad gateway|service unavailable|gateway time-?out|\b408\b|request timeout/i,
    reason: 'UNAVAILABLE',
    code: 'REGISTRY_ERROR',
  },
  {
    pattern: /connection reset|unexpected EOF|\bEOF\b|broken pipe|i\/o timeout|TLS handshake timeout|connection closed/i,
    reason: 'CONNECTION',
    code: 'REGISTRY_ERROR',
  },
  {
    pattern: /connection refused|no such host|server misbehaving/i,
    reason: 'UNREACHABLE',
    code: 'REGISTRY_ERROR',
  },
  {
    pattern: /does not exist locally|no such image|tag does not exist/i,
    reason: 'IMAGE_NOT_FOUND',
    code: 'IMAGE_NOT_FOUND',
  },
  {
    pattern: /http: server gave HTTP response to HTTPS client|x509|certificate/i,
    reason: 'TLS',
    code: 'REGISTRY_TLS',
  },
];

/** Pure: the engine's message about a registry failure to its meaning. */
export function classifyRegistryFailure(message: string): RegistryFailure {
  const rule = RULES.find(({ pattern }) => pattern.test(message));
  const transient = classifyRegistryError(message).retry;
  if (!rule) return { reason: 'UNKNOWN', code: 'PUSH_FAILED', transient };
  return { reason: rule.reason, code: rule.code, transient };
}

/**
 * The engine's own words (secrets removed) as an error, to be the cause of the PushError or
 * RegistryError made from them, with the engine's error (also redacted) under it.
 */
export function engineFailureCause(engineMessage: string, secrets: string[], engineError?: unknown): Error {
  const original = engineError instanceof Error && secrets.length > 0 ? redactedCopy(engineError, secrets) : engineError;
  return new Error(redact(engineMessage, secrets), original === undefined ? undefined : { cause: original });
}

/** For a failure whose cause came from `engineFailureCause`: whether another attempt may succeed. */
export function isTransientEngineFailure(error: unknown): boolean {
  return error instanceof Error && classifyRegistryError(error.cause).retry;
}

/** How often and how long engine pushes and pulls retry. */
export interface EngineRetrySettings {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number | undefined;
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

/**
 * The retry options engine pushes and pulls share: their own transfer failures whose engine words
 * are transient are tried again, each retry one `retry` event (its reason passed through `describe`,
 * which a push uses to redact credentials).
 */
export function engineTransferRetry(
  phase: 'push' | 'pull',
  options: {
    retry?: EngineRetrySettings | undefined;
    signal?: AbortSignal | undefined;
    onProgress?: ProgressListener | undefined;
    clock: Clock;
  },
  describe: (reason: string) => string = (reason) => reason,
): RetryOptions {
  return {
    ...options.retry,
    clock: options.clock,
    signal: options.signal,
    classify: (error) =>
      error instanceof ShipError &&
      !(error instanceof AbortedError) &&
      !(error instanceof EngineUnavailableError) &&
      isTransientEngineFailure(error)
        ? { retry: true, reason: error.message }
        : { retry: false },
    onRetry: ({ attempt, delayMs, reason }) =>
      options.onProgress?.({ type: 'retry', phase, attempt, delayMs, reason: describe(reason) }),
  };
}

/** What to do about a failure, for the end of a one-sentence message. */
export function registryFix(failure: RegistryFailure, registry: string, repository: string): string {
  switch (failure.reason) {
    case 'UNAUTHORIZED':
      return `log in with the right credentials (ship login ${registry}) or pass auth`;
    case 'DENIED':
      return `check that your account may push to ${repository} on ${registry}`;
    case 'NAME_UNKNOWN':
      return `create the repository ${repository} on ${registry} first, or fix the name`;
    case 'MANIFEST_UNKNOWN':
      return 'check the name and tag';
    case 'UNREACHABLE':
      return `check that ${registry} is the right host and that the registry is running`;
    case 'TLS':
      return `give the engine the registry's CA (certs.d) or list ${registry} under insecure-registries`;
    case 'IMAGE_NOT_FOUND':
      return 'build or pull the image first';
    default:
      return failure.transient ? 'try again in a moment' : 'check the registry and try again';
  }
}

function redactedCopy(error: Error, secrets: string[]): Error {
  const copy = new Error(redact(error.message, secrets));
  copy.name = error.name;
  return copy;
}

/** Removes every occurrence of the given secrets (and their base64 forms) from a text. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) result = result.split(form).join('***');
  }
  return result;
}
