import type { parseDuration as sdkParseDuration } from '@container-ship/sdk/config';
import { InvalidArgumentError } from 'commander';

/**
 * Value parsers for flags. Each throws commander's InvalidArgumentError, which the CLI
 * turns into one line and exit code 2.
 */

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--build-arg K=V` (repeatable) into a map; `K=` is an empty value, a bare `K` is an error. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}".`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535)
    throw new InvalidArgumentError('expected a port number from 1 to 65535.');
  return port;
}

/** `-p 5000` or `-p 5000:8080` (container port, then the host port on 127.0.0.1). */
export function collectPortMapping(value: string, previous: string[] = []): string[] {
  const parts = value.split(':');
  if (parts.length > 2 || parts.some((part) => !/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 65_535)) {
    throw new InvalidArgumentError('expected CONTAINER_PORT or CONTAINER_PORT:HOST_PORT, e.g. 5000 or 5000:8080.');
  }
  return [...previous, value];
}

export function parseStatus(value: string): number {
  const status = Number(value);
  if (!/^\d{3}$/.test(value) || status < 100 || status > 599)
    throw new InvalidArgumentError('expected an HTTP status from 100 to 599.');
  return status;
}

let parseDuration: typeof sdkParseDuration | undefined;

/**
 * Loads ship.yaml's duration grammar (the SDK's `parseDuration`) for `parseTimeout`. It lives in
 * the SDK's /config entry point beside the zod schema, too big for start-up, so program.ts loads
 * it before a command with a duration flag parses its flags.
 */
export async function loadDurationGrammar(): Promise<void> {
  parseDuration ??= (await import('@container-ship/sdk/config')).parseDuration;
}

export function parseTimeout(value: string): number {
  if (!parseDuration) throw new Error('parseTimeout ran before loadDurationGrammar()');
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration like 30s, 500ms or 2m.');
  return ms;
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}
