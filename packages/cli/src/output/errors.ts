import { causeChain, isShipError } from '@container-ship/sdk';
import type { Style } from './style.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** Error codes that mean "you asked for something that cannot be": exit 2, like a bad flag. */
const USAGE_CODES = new Set(['INVALID_INPUT', 'CONFIG_INVALID', 'TARGET_NOT_FOUND']);

/** A usage error found by the CLI itself (commander's, or a value a parser rejected). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (isShipError(error) && USAGE_CODES.has(error.code)) return EXIT.usage;
  return EXIT.failed;
}

/** 130 for SIGINT (the default for an abort), 143 for SIGTERM. */
export function exitCodeForAbort(reason: unknown): number {
  const name = typeof reason === 'string' ? reason : (reason as { signal?: unknown } | undefined)?.signal;
  return name === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
}

/**
 * One red line naming the problem and the fix. With `debug`, the cause chain and the stacks
 * follow; without it, never a stack. Unknown (non-ship) errors say that they are a bug.
 */
export function formatError(error: unknown, o: { debug: boolean; style: Style }): string {
  const message = oneLine(messageOf(error));
  const head =
    isShipError(error) || error instanceof UsageError
      ? message
      : `${message} (unexpected error; rerun with --debug and report it)`;
  const lines = [o.style.red(`✖ ${head}`)];
  if (o.debug) {
    const chain = causeChain(error);
    for (const cause of chain.slice(1)) {
      const code = (cause as { code?: unknown }).code;
      lines.push(
        o.style.dim(`  caused by: ${nameOf(cause)}${typeof code === 'string' ? ` [${code}]` : ''}: ${oneLine(messageOf(cause))}`),
      );
    }
    for (const cause of chain) {
      if (cause instanceof Error && cause.stack) lines.push(o.style.dim(cause.stack));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function errorJson(error: unknown): { error: { code: string; message: string } } {
  const code = isShipError(error) ? error.code : error instanceof UsageError ? 'USAGE' : 'INTERNAL';
  return { error: { code, message: oneLine(messageOf(error)) } };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
