/**
 * The SDK's errors. Every message is one sentence that names the problem and the fix;
 * `code` is stable for scripts; `cause` keeps the underlying error for `--debug`.
 * Only entry points (the CLI's main, the action's run) turn these into exit codes.
 */
export type ShipErrorCode =
  | 'ENGINE_UNAVAILABLE'
  | 'INVALID_INPUT'
  | 'CONFIG_INVALID'
  | 'BUILD_FAILED'
  | 'BASE_IMAGE_NOT_FOUND'
  | 'BUILD_SECRET_MISSING'
  | 'BUILD_SSH_MISSING'
  | 'BUILD_FRONTEND_UNAVAILABLE'
  | 'PLATFORM_UNSUPPORTED'
  | 'TARGET_NOT_FOUND'
  | 'IMAGE_NOT_FOUND'
  | 'PORT_IN_USE'
  | 'CONTAINER_FAILED'
  | 'SMOKE_FAILED'
  | 'PUSH_FAILED'
  | 'PULL_FAILED'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_NAME_UNKNOWN'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_TLS'
  | 'CREDENTIALS_NOT_FOUND'
  | 'LOGIN_FAILED'
  | 'MISSING_DEPENDENCY'
  | 'GIT_ERROR'
  | 'FILE_EXISTS'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'SWARM_UNAVAILABLE'
  | 'SERVICE_NOT_FOUND'
  | 'DEPLOY_FAILED'
  | 'ROLLED_BACK'
  | 'IMAGE_IN_USE'
  | 'INTERNAL';

export interface ShipErrorOptions {
  cause?: unknown;
}

export class ShipError extends Error {
  override readonly name: string = 'ShipError';
  readonly code: ShipErrorCode;

  constructor(code: ShipErrorCode, message: string, options: ShipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Bad input from a caller: a flag, an option, a tag. Adapters map it to exit code 2. */
export class InvalidInputError extends ShipError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, options: ShipErrorOptions = {}) {
    super('INVALID_INPUT', message, options);
  }
}

/** A config file (`ship.yaml`) that does not validate; `path` and `line` locate the bad key. */
export class ConfigError extends ShipError {
  override readonly name = 'ConfigError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, details: { file?: string | undefined; line?: number | undefined } & ShipErrorOptions = {}) {
    super('CONFIG_INVALID', message, details);
    this.file = details.file;
    this.line = details.line;
  }
}

export class EngineUnavailableError extends ShipError {
  override readonly name = 'EngineUnavailableError';
  constructor(message: string, options: ShipErrorOptions = {}) {
    super('ENGINE_UNAVAILABLE', message, options);
  }
}

/** A build step failed; carries the step, its exit code and the last lines it printed. */
export class BuildError extends ShipError {
  override readonly name = 'BuildError';
  readonly step: string | undefined;
  readonly exitCode: number | undefined;
  readonly logTail: string[];
  constructor(
    message: string,
    details: {
      code?: ShipErrorCode | undefined;
      step?: string | undefined;
      exitCode?: number | undefined;
      logTail?: string[] | undefined;
    } & ShipErrorOptions = {},
  ) {
    super(details.code ?? 'BUILD_FAILED', message, details);
    this.step = details.step;
    this.exitCode = details.exitCode;
    this.logTail = details.logTail ?? [];
  }
}

/** A push (or registry write) failed; `reason` is the registry's own error code when it gave one. */
export class PushError extends ShipError {
  override readonly name = 'PushError';
  readonly reason: string | undefined;
  readonly ref: string | undefined;
  constructor(
    message: string,
    details: { code?: ShipErrorCode | undefined; reason?: string | undefined; ref?: string | undefined } & ShipErrorOptions = {},
  ) {
    super(details.code ?? 'PUSH_FAILED', message, details);
    this.reason = details.reason;
    this.ref = details.ref;
  }
}

/** A registry HTTP request failed; `status` and the registry's error `reason` (e.g. DENIED). */
export class RegistryError extends ShipError {
  override readonly name = 'RegistryError';
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(
    message: string,
    details: {
      code?: ShipErrorCode | undefined;
      status?: number | undefined;
      reason?: string | undefined;
    } & ShipErrorOptions = {},
  ) {
    super(details.code ?? 'REGISTRY_ERROR', message, details);
    this.status = details.status;
    this.reason = details.reason;
  }
}

export class AbortedError extends ShipError {
  override readonly name = 'AbortedError';
  constructor(message = 'The operation was aborted.', options: ShipErrorOptions = {}) {
    super('ABORTED', message, options);
  }
}

export function isShipError(error: unknown): error is ShipError {
  return error instanceof ShipError;
}

/** Throws an AbortedError when `signal` is already aborted; call between steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
}

/** The chain of causes, outermost first, for `--debug` output. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 10) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}
