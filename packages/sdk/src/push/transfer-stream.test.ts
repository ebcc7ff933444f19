import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { collectJsonStream } from '../engine/json-stream.js';
import { PushError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { classifyRegistryError } from '../registry/errors.js';
import { classifyRegistryFailure, engineFailureCause, isTransientEngineFailure, redact } from './registry-failure.js';
import { TransferStreamDecoder } from './transfer-stream.js';

/** Recorded from the real engine and registries; see engine/fixtures/README.md. */
async function decode(name: string, phase: 'push' | 'pull') {
  const bytes = readFileSync(new URL(`../engine/fixtures/${name}`, import.meta.url));
  const events: ProgressEvent[] = [];
  const decoder = new TransferStreamDecoder(phase, (event) => events.push(event));
  for (const message of await collectJsonStream(Readable.from([bytes]))) decoder.handle(message);
  return { decoder, events };
}

describe('TransferStreamDecoder on recorded engine streams', () => {
  test('a push gives per-layer progress, bytes and the aux digest', async () => {
    const { decoder, events } = await decode('push-success.jsonl', 'push');
    expect(decoder.failure).toBeUndefined();
    expect(decoder.outcome()).toEqual({
      digest: 'sha256:8a3eb80d1f1954cc7b6f9ea16d2c6d46b9ef6c421fc454b06a6fdb8960fdeaf0',
      bytesTransferred: 2560 + 1536 + 155_699_200,
      layersMoved: 3,
      layersPresent: 0,
    });
    const layers = events.filter((event) => event.type === 'layer');
    expect(new Set(layers.map((event) => event.layerId))).toEqual(new Set(['03ec695039f4', 'f5c751ff2b9c', 'fca02c1cf67b']));
    expect(layers.every((event) => event.phase === 'push')).toBe(true);
    expect(layers.find((event) => event.status === 'Pushing' && event.layerId === 'fca02c1cf67b')).toMatchObject({
      current: 543_232,
      total: 149_665_573,
    });
    expect(layers.filter((event) => event.status === 'Pushed')).toHaveLength(3);
  });

  test('an unauthorized push is a failure even though the stream ended normally', async () => {
    const { decoder } = await decode('push-unauthorized.jsonl', 'push');
    expect(decoder.failure).toBe('unauthorized: authentication required');
    expect(decoder.outcome().digest).toBeUndefined();
  });

  test('a pull gives layer progress, bytes and the digest from the status line', async () => {
    const { decoder, events } = await decode('pull-success.jsonl', 'pull');
    expect(decoder.failure).toBeUndefined();
    expect(decoder.outcome()).toEqual({
      digest: 'sha256:160c926488eb12350e945aafc0c8fd061c0790c5dc79c190d511f3aeb9b04b61',
      bytesTransferred: 300_292,
      layersMoved: 1,
      layersPresent: 0,
    });
    expect(events.map((event) => (event.type === 'layer' ? event.status : event.type))).toEqual([
      'Pulling fs layer',
      'Downloading',
      'Downloading',
      'Verifying Checksum',
      'Download complete',
      'Extracting',
      'Extracting',
      'Extracting',
      'Pull complete',
    ]);
  });

  test('the 404 body of a pull of a missing image names the manifest', async () => {
    const [message] = await collectJsonStream(
      Readable.from([readFileSync(new URL('../engine/fixtures/pull-not-found.jsonl', import.meta.url))]),
    );
    expect(classifyRegistryFailure(String((message as { message?: string }).message))).toEqual({
      reason: 'MANIFEST_UNKNOWN',
      code: 'IMAGE_NOT_FOUND',
      transient: false,
    });
  });
});

describe('classifyRegistryFailure', () => {
  test.each([
    ['unauthorized: authentication required', 'UNAUTHORIZED', false],
    ['no basic auth credentials', 'UNAUTHORIZED', false],
    ['denied: requested access to the resource is denied', 'DENIED', false],
    ['name unknown: repository name not known to registry', 'NAME_UNKNOWN', false],
    ['blob unknown: blob unknown to registry', 'BLOB_UNKNOWN', false],
    ['blob upload unknown: blob upload unknown to registry', 'BLOB_UPLOAD_UNKNOWN', true],
    ['blob upload invalid: blob upload invalid', 'BLOB_UPLOAD_INVALID', true],
    ['toomanyrequests: You have reached your pull rate limit', 'TOOMANYREQUESTS', true],
    ['received unexpected HTTP status: 503 Service Unavailable', 'UNAVAILABLE', true],
    ['received unexpected HTTP status: 502 Bad Gateway', 'UNAVAILABLE', true],
    [
      'Patch "http://localhost:5100/v2/x/blobs/uploads/abc": read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer',
      'CONNECTION',
      true,
    ],
    ['Put "http://localhost:5100/v2/x/manifests/1": EOF', 'CONNECTION', true],
    ['unexpected EOF', 'CONNECTION', true],
    ['Patch "http://localhost:5100/v2/x/blobs/uploads/abc": connection closed', 'CONNECTION', true],
    ['Patch "http://localhost:5100/v2/x/blobs/uploads/abc": socket hang up', 'UNKNOWN', true],
    ['Get "http://localhost:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', 'UNREACHABLE', false],
    ['An image does not exist locally with the tag: localhost:5001/nope', 'IMAGE_NOT_FOUND', false],
    ['Get "https://localhost:5003/v2/": http: server gave HTTP response to HTTPS client', 'TLS', false],
    ['something new', 'UNKNOWN', false],
  ])('%s -> %s', (message, reason, transient) => {
    const failure = classifyRegistryFailure(message);
    expect(failure.reason).toBe(reason);
    expect(failure.transient).toBe(transient);
    // Engine pushes and registry HTTP agree on what is transient.
    expect(classifyRegistryError(new Error(message)).retry).toBe(transient);
    const pushError = new PushError('Pushing failed.', { reason, cause: engineFailureCause(message, []) });
    expect(isTransientEngineFailure(pushError)).toBe(transient);
  });

  test('a failure with no engine words under it (no digest reported) is not retried', () => {
    expect(isTransientEngineFailure(new PushError('No digest.', { reason: 'NO_DIGEST' }))).toBe(false);
  });

  test('the cause keeps the engine words and error with the secrets removed', () => {
    const secret = 'XEjHB14bvCj4';
    const cause = engineFailureCause(`denied for ${secret}`, [secret], new Error(`HTTP 403 ${secret}`));
    expect(cause.message).toBe('denied for ***');
    expect(String((cause.cause as Error).message)).toBe('HTTP 403 ***');
  });
});

test('redact removes secrets and their base64 forms', () => {
  const secret = 'XEjHB14bvCj4';
  expect(redact(`bad ${secret} and ${Buffer.from(secret).toString('base64')}`, [secret, undefined, ''])).toBe('bad *** and ***');
});
