import { describe, expect, test } from 'vitest';
import { encodeTrace, type TraceVertex } from '../engine/buildkit-proto.js';
import type { EngineStreamMessage } from '../engine/json-stream.js';
import { BuildError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { BuildKitStreamDecoder } from './buildkit-stream.js';

/** Trace messages as the engine's BuildKit sends them: vertices and logs, base64 protobuf in `aux`. */
const at = (seconds: number, nanos = 0) => ({ seconds, nanos });
function trace(vertexes: Array<Partial<TraceVertex>>, logs: Array<{ vertex: string; text: string }> = []): EngineStreamMessage {
  return {
    id: 'moby.buildkit.trace',
    aux: encodeTrace({ vertexes, logs: logs.map((log) => ({ vertex: log.vertex, msg: Buffer.from(log.text) })) }) as never,
  };
}

function decode(messages: EngineStreamMessage[], syntax?: string) {
  const events: ProgressEvent[] = [];
  const decoder = new BuildKitStreamDecoder({ onProgress: (event) => events.push(event), syntax });
  for (const message of messages) decoder.handle(message);
  try {
    return { events, outcome: decoder.finish(), error: undefined };
  } catch (error) {
    return { events, outcome: undefined, error: error as BuildError };
  }
}

const load = {
  digest: 'sha256:load',
  name: '[internal] load build definition from Dockerfile',
  started: at(1),
  completed: at(1),
};
const from = {
  digest: 'sha256:from',
  name: '[builder 1/3] FROM docker.io/library/python:3.11-slim',
  cached: true,
  started: at(1),
  completed: at(1),
};
const run = { digest: 'sha256:run', name: '[builder 2/3] RUN pip install -r requirements.txt', started: at(2) };

describe('BuildKitStreamDecoder', () => {
  test('steps as buildx names them, cached or not, their durations, their logs, and the image id', () => {
    const { events, outcome } = decode([
      trace([load, from]),
      trace([run], [{ vertex: 'sha256:run', text: 'Collecting flask\nInstalled fl' }]),
      trace([], [{ vertex: 'sha256:run', text: 'ask\n' }]),
      trace([{ ...run, completed: at(3, 500_000_000) }]),
      { id: 'moby.image.id', aux: { ID: 'sha256:abc' } },
    ]);
    expect(outcome).toEqual({ imageId: 'sha256:abc', steps: 2, cachedSteps: 1, warnings: [] });
    expect(events).toEqual([
      {
        type: 'build-step',
        step: 1,
        totalSteps: 3,
        instruction: 'FROM docker.io/library/python:3.11-slim',
        name: from.name,
        cached: true,
      },
      { type: 'build-step-end', name: from.name, cached: true, durationMs: 0, ok: true },
      {
        type: 'build-step',
        step: 2,
        totalSteps: 3,
        instruction: 'RUN pip install -r requirements.txt',
        name: run.name,
        cached: false,
      },
      { type: 'log', phase: 'build', line: 'Collecting flask', step: run.name },
      { type: 'log', phase: 'build', line: 'Installed flask', step: run.name },
      { type: 'build-step-end', name: run.name, cached: false, durationMs: 1500, ok: true },
    ]);
  });

  test('a failed step gives the BuildError the classic builder gives: instruction, exit code from the message, last lines', () => {
    const message = 'executor failed running [/bin/sh -c python -c "import sys; sys.exit(3)"]: exit code: 3';
    const { error } = decode([
      trace(
        [{ ...run, name: '[2/2] RUN python -c "import sys; sys.exit(3)"' }],
        [{ vertex: 'sha256:run', text: 'about to fail\nboom\n' }],
      ),
      trace([{ ...run, name: '[2/2] RUN python -c "import sys; sys.exit(3)"', completed: at(3), error: message }]),
      { errorDetail: { message }, error: message },
    ]);
    expect(error).toBeInstanceOf(BuildError);
    expect(error?.code).toBe('BUILD_FAILED');
    expect(error?.step).toBe('RUN python -c "import sys; sys.exit(3)"');
    expect(error?.exitCode).toBe(3);
    expect(error?.logTail).toEqual(['about to fail', 'boom']);
    expect(error?.message).toBe(
      'The build failed at step 2/2 `RUN python -c "import sys; sys.exit(3)"` with exit code 3 (boom); fix that instruction and build again.',
    );
  });

  test.each([
    [
      'a base image that cannot be resolved',
      '[internal] load metadata for localhost:5001/nothing:1',
      'failed to solve with frontend dockerfile.v0: failed to create LLB definition: localhost:5001/nothing:1: not found',
      undefined,
      'BASE_IMAGE_NOT_FOUND',
      "The base image 'localhost:5001/nothing:1' could not be pulled from localhost:5001 (",
    ],
    [
      'a secret the Dockerfile needs and nobody gave',
      '[2/2] RUN --mount=type=secret,id=token cat /run/secrets/token',
      'failed to solve with frontend dockerfile.v0: failed to solve: secret token: not found',
      undefined,
      'BUILD_SECRET_MISSING',
      "The build needs the secret 'token' at `RUN --mount=type=secret,id=token cat /run/secrets/token`, and none was given;",
    ],
    [
      'a # syntax= frontend that cannot be pulled',
      'resolve image config for docker.io/docker/dockerfile:1.4',
      'failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: docker.io/docker/dockerfile:1.4: not found',
      'docker/dockerfile:1.4',
      'BUILD_FRONTEND_UNAVAILABLE',
      "The Dockerfile's '# syntax=docker/dockerfile:1.4' frontend could not be pulled (",
    ],
  ])('%s', (_name, vertexName, message, syntax, code, start) => {
    const { error } = decode(
      [
        trace([{ digest: 'sha256:x', name: vertexName, started: at(1), completed: at(2), error: message }]),
        { errorDetail: { message }, error: message },
      ],
      syntax,
    );
    expect(error?.code).toBe(code);
    expect(error?.message.startsWith(start)).toBe(true);
  });

  test('a stream that ends without an image id is a BuildError, never a success', () => {
    expect(decode([trace([load])]).error).toBeInstanceOf(BuildError);
  });
});
