/**
 * An ssh failure on the way to the engine; its message is the reason, in words, with the fix.
 * Apart from ssh.ts so that classifying an error never loads ssh2.
 */
export class SshEngineError extends Error {
  override readonly name = 'SshEngineError';
  readonly code = 'ESSH';
}

export function isSshFailure(error: unknown): error is SshEngineError {
  return error instanceof SshEngineError;
}
