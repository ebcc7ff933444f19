import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { collectJsonStream } from '../engine/json-stream.js';
import { BuildError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { BuildStreamDecoder, baseImageOf } from './build-stream.js';

/** Recorded from the real engine (20.10.24, classic builder); see engine/fixtures/README.md. */
async function decode(name: string, resolveBaseImage?: (written: string) => string) {
  const bytes = readFileSync(new URL(`../engine/fixtures/${name}`, import.meta.url));
  const events: ProgressEvent[] = [];
  const decoder = new BuildStreamDecoder({ onProgress: (event) => events.push(event), resolveBaseImage });
  for (const message of await collectJsonStream(Readable.from([bytes]))) decoder.handle(message);
  let outcome: ReturnType<BuildStreamDecoder['finish']> | undefined;
  let error: unknown;
  try {
    outcome = decoder.finish();
  } catch (caught) {
    error = caught;
  }
  return { events, outcome, error };
}

describe('BuildStreamDecoder on recorded engine streams', () => {
  test('a successful build gives the aux image ID, every step and the steps output', async () => {
    const { events, outcome, error } = await decode('build-success.jsonl');
    expect(error).toBeUndefined();
    expect(outcome).toEqual({
      imageId: 'sha256:4b9bf78e8ae51b9e1e0663be78e200bd8206b996fbe67ac558e73940816e0dd3',
      steps: 7,
      cachedSteps: 0,
      warnings: [],
    });
    const steps = events.filter((event) => event.type === 'build-step');
    expect(steps.map((event) => [event.step, event.totalSteps, event.instruction])).toEqual([
      [1, 7, 'FROM python:3.11-slim'],
      [2, 7, 'ARG GREETING=hello'],
      [3, 7, 'WORKDIR /app'],
      [4, 7, 'COPY app.py .'],
      [5, 7, `RUN echo "$GREETING from the build" && python -c "print('compiled')"`],
      [6, 7, 'LABEL org.example.fixture=ok'],
      [7, 7, 'CMD ["python", "app.py"]'],
    ]);
    expect(steps.every((event) => event.cached === false)).toBe(true);
    // Only what the steps printed, not the builder's bookkeeping.
    expect(events.filter((event) => event.type === 'log').map((event) => event.line)).toEqual([
      'hello from the build',
      'compiled',
    ]);
  });

  test('a rebuild marks cached steps', async () => {
    const { events, outcome } = await decode('build-cached.jsonl');
    expect(outcome?.cachedSteps).toBe(6);
    const cached = events.flatMap((event) => (event.type === 'build-step' ? [event.cached] : []));
    expect(cached).toEqual([false, true, true, true, true, true, true]);
  });

  test('a failing RUN rejects naming the step, the exit code and the last output lines', async () => {
    const { error, events } = await decode('build-run-failed.jsonl');
    expect(error).toBeInstanceOf(BuildError);
    const buildError = error as BuildError;
    expect(buildError.code).toBe('BUILD_FAILED');
    expect(buildError.step).toBe('RUN pip install definitely-not-a-package==9.9.9');
    expect(buildError.exitCode).toBe(1);
    expect(buildError.logTail).toEqual([
      'Looking in links: /wheels',
      'ERROR: Could not find a version that satisfies the requirement definitely-not-a-package==9.9.9 (from versions: none)',
      'ERROR: No matching distribution found for definitely-not-a-package==9.9.9',
    ]);
    expect(buildError.message).toBe(
      'The build failed at step 3/4 `RUN pip install definitely-not-a-package==9.9.9` with exit code 1 (ERROR: No matching distribution found for definitely-not-a-package==9.9.9); fix that instruction and build again.',
    );
    // The earlier step's output was not mixed into the failing step's tail.
    expect(events.filter((event) => event.type === 'log').map((event) => event.line)).toContain('line two');
  });

  test("Podman's Buildah stream: STEP lines, cached steps, no chatter, the image ID", async () => {
    const { events, outcome, error } = await decode('podman-build-cached.jsonl');
    expect(error).toBeUndefined();
    expect(outcome).toEqual({
      imageId: 'sha256:50321ba6ad7c07fbefa5fc94c5ac5d79210677806490ef96e622665d50320400',
      steps: 3,
      cachedSteps: 1,
      warnings: [],
    });
    const steps = events.flatMap((event) => (event.type === 'build-step' ? [[event.step, event.instruction, event.cached]] : []));
    expect(steps).toEqual([
      // Buildah says nothing between FROM and the next STEP, so whether FROM was cached stays unknown.
      [1, 'FROM python:3.11-slim', undefined],
      [2, 'RUN echo hi', true],
      [3, 'LABEL a=b', false],
    ]);
    expect(events.filter((event) => event.type === 'log')).toEqual([]);
  });

  test("Buildah's multi-stage lines: the stage prefix is not part of the step", () => {
    const events: ProgressEvent[] = [];
    const decoder = new BuildStreamDecoder({ onProgress: (event) => events.push(event) });
    for (const stream of [
      '[1/3] STEP 4/4: RUN pip install -r /tmp/requirements.txt\n',
      'Successfully installed Flask-2.2.2\n',
      '[3/3] COMMIT localhost:5001/app:1\n',
      '--> 0dfd2176346\n',
    ])
      decoder.handle({ stream });
    decoder.handle({ aux: { ID: 'sha256:0dfd21763463' } });
    expect(decoder.finish()).toMatchObject({ steps: 1, imageId: 'sha256:0dfd21763463' });
    expect(
      events.map((event) => (event.type === 'build-step' ? event.instruction : event.type === 'log' ? event.line : event.type)),
    ).toEqual(['RUN pip install -r /tmp/requirements.txt', 'Successfully installed Flask-2.2.2']);
  });

  test("Podman's failing RUN names the step, the exit code and its output", async () => {
    const { error } = await decode('podman-build-run-failed.jsonl');
    expect(error).toBeInstanceOf(BuildError);
    expect(error).toMatchObject({ step: 'RUN echo "about to fail" && exit 3', exitCode: 3, logTail: ['about to fail'] });
    expect((error as BuildError).message).toBe(
      'The build failed at step 3/3 `RUN echo "about to fail" && exit 3` with exit code 3 (about to fail); fix that instruction and build again.',
    );
  });

  test.each([
    [
      'build-base-missing.jsonl',
      "The base image 'localhost:5001/ship-fixture-does-not-exist:1.0' could not be pulled from localhost:5001 (manifest for localhost:5001/ship-fixture-does-not-exist:1.0 not found: manifest unknown: manifest unknown)",
    ],
    [
      'build-base-unreachable-registry.jsonl',
      'The base image \'ship-fixture-nonexistent/nothing:1\' could not be pulled from Docker Hub (docker.io) (Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io',
    ],
  ])('%s rejects with BASE_IMAGE_NOT_FOUND saying from where', async (name, start) => {
    const { error } = await decode(name);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    expect((error as BuildError).message.startsWith(start)).toBe(true);
    expect((error as BuildError).message).toMatch(/pull the image into the engine first\.$/);
  });

  test('the FROM image is reported after ARG substitution when the caller resolves it', async () => {
    const { error } = await decode('build-base-missing.jsonl', () => 'localhost:5001/resolved:2');
    expect((error as BuildError).message).toContain("'localhost:5001/resolved:2' could not be pulled from localhost:5001");
  });

  test('a stream that ends with neither an image ID nor an error is a failure, not a success', () => {
    const decoder = new BuildStreamDecoder();
    decoder.handle({ stream: 'Step 1/1 : FROM python:3.11-slim' });
    decoder.handle({ stream: '\n' });
    expect(() => decoder.finish()).toThrow('without reporting an image ID');
  });

  test('builder warnings are collected', () => {
    const decoder = new BuildStreamDecoder();
    decoder.handle({ stream: '[Warning] One or more build-args [UNUSED] were not consumed\n' });
    decoder.handle({ aux: { ID: 'sha256:abc' } });
    expect(decoder.finish().warnings).toEqual(['One or more build-args [UNUSED] were not consumed']);
  });
});

test.each([
  ['FROM python:3.11-slim', 'python:3.11-slim'],
  ['FROM --platform=linux/amd64 python:3.11-slim AS builder', 'python:3.11-slim'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a template.
  ['from ${BASE_IMAGE} as runtime', '${BASE_IMAGE}'],
  ['RUN echo FROM x', undefined],
])('baseImageOf(%j)', (instruction, expected) => {
  expect(baseImageOf(instruction)).toBe(expected);
});
