import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { AbortedError } from '../errors.js';
import { collectJsonStream, followJsonStream, parseStreamLine } from './json-stream.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** The fixture's bytes in chunks of `size`, so lines (and UTF-8 characters) split anywhere. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('parseStreamLine', () => {
  test.each([
    ['{"stream":"Step 1/2 : FROM x"}\r', { stream: 'Step 1/2 : FROM x' }],
    ['  ', undefined],
    ['not json', { raw: 'not json' }],
    ['[1,2]', { raw: '[1,2]' }],
  ])('%j', (line, expected) => {
    expect(parseStreamLine(line)).toEqual(expected);
  });
});

describe('followJsonStream over recorded engine streams', () => {
  test.each([
    ['build-success.jsonl', 36],
    ['build-run-failed.jsonl', 17],
    ['push-success.jsonl', 97],
    ['push-unauthorized.jsonl', 5],
  ])('%s decodes %i messages whatever the chunk size', async (name, count) => {
    const bytes = fixture(name);
    const whole = await collectJsonStream(Readable.from([bytes]));
    expect(whole).toHaveLength(count);
    expect(whole.every((message) => message.raw === undefined)).toBe(true);
    for (const size of [1, 3, 64, 1000]) {
      expect(await collectJsonStream(chunked(bytes, size))).toEqual(whole);
    }
  });

  test('a multi-byte character split across chunks survives', async () => {
    const bytes = Buffer.from('{"stream":"caf\u00e9 \u2713\\n"}\n');
    const messages = await collectJsonStream(chunked(bytes, 1));
    expect(messages).toEqual([{ stream: 'café ✓\n' }]);
  });

  test('a stream that breaks before its end rejects', async () => {
    const stream = new PassThrough();
    const done = followJsonStream(stream, () => {});
    stream.write('{"stream":"Step 1/2 : FROM x"}\n');
    stream.destroy();
    await expect(done).rejects.toThrow('closed the stream before it ended');
  });

  test('abort destroys the stream and rejects with AbortedError', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const seen: unknown[] = [];
    const done = followJsonStream(stream, (message) => seen.push(message), controller.signal);
    stream.write('{"status":"Preparing","id":"abc"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(done).rejects.toBeInstanceOf(AbortedError);
    expect(stream.destroyed).toBe(true);
    expect(seen).toEqual([{ status: 'Preparing', id: 'abc' }]);
  });
});
