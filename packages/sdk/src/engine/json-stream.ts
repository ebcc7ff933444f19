import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AbortedError } from '../errors.js';

/**
 * One line of the engine's JSON-lines progress streams (`/build`, `/images/create`,
 * `/images/{name}/push`). The engine reports failures as `error`/`errorDetail` lines inside an
 * HTTP 200 response, so a caller must look at every line, not just wait for the end.
 */
export interface EngineStreamMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: Record<string, unknown>;
  /** Not JSON: the raw line, kept so nothing the engine said is dropped. */
  raw?: string;
}

/** Pure: one line of text to a message; blank lines give undefined. */
export function parseStreamLine(line: string): EngineStreamMessage | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as EngineStreamMessage;
  } catch {
    // Fall through: keep the line as raw text.
  }
  return { raw: text };
}

/**
 * Reads a JSON-lines stream to its end, calling `onMessage` for each line as it arrives
 * (chunks may split lines anywhere, even inside a UTF-8 character). Rejects when the stream
 * breaks before its end, and with AbortedError (destroying the stream, which closes the
 * request) when `signal` aborts.
 */
export function followJsonStream(
  stream: Readable,
  onMessage: (message: EngineStreamMessage) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let settled = false;

    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const deliver = (line: string) => {
      const message = parseStreamLine(line);
      if (message) onMessage(message);
    };
    const onAbort = () => {
      stream.destroy();
      settle(new AbortedError(undefined, { cause: signal?.reason }));
    };

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    stream.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          deliver(line);
        } catch (error) {
          stream.destroy();
          return settle(error);
        }
        newline = pending.indexOf('\n');
      }
    });
    stream.on('end', () => {
      if (settled) return;
      try {
        deliver(pending + decoder.end());
        settle();
      } catch (error) {
        settle(error);
      }
    });
    stream.on('error', (error) => settle(signal?.aborted ? new AbortedError(undefined, { cause: signal.reason }) : error));
    stream.on('close', () => {
      if (!stream.readableEnded) {
        settle(
          signal?.aborted
            ? new AbortedError(undefined, { cause: signal.reason })
            : Object.assign(new Error('The engine closed the stream before it ended.'), { code: 'ECONNRESET' }),
        );
      }
    });
  });
}

/** Reads a whole JSON-lines stream into memory (tests and small streams). */
export async function collectJsonStream(stream: Readable, signal?: AbortSignal): Promise<EngineStreamMessage[]> {
  const messages: EngineStreamMessage[] = [];
  await followJsonStream(stream, (message) => messages.push(message), signal);
  return messages;
}
