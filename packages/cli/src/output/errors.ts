// Loaded on the error path only (main.ts): it reaches the SDK's root entry point.
import { causeChain, isShipError } from '@container-ship/sdk';
import { EXIT, UsageError } from './exit.js';
import type { Style } from './style.js';

/** Error codes that mean "you asked for something that cannot be": exit 2, like a bad flag. */
const USAGE_CODES = new Set(['INVALID_INPUT', 'CONFIG_INVALID', 'TARGET_NOT_FOUND']);

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (isShipError(error) && USAGE_CODES.has(error.code)) return EXIT.usage;
  return EXIT.failed;
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
