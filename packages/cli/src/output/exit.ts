// Exit codes and the CLI's own usage error: what every run needs, with nothing of the SDK, so
// `ship --version` and `ship --help` load no SDK code (output/errors.ts formats errors on the error path).

export const EXIT = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** A usage error found by the CLI itself (commander's, or a value a parser rejected). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** 130 for SIGINT (the default for an abort), 143 for SIGTERM. */
export function exitCodeForAbort(reason: unknown): number {
  const name = typeof reason === 'string' ? reason : (reason as { signal?: unknown } | undefined)?.signal;
  return name === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}
