import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imageHistory, inspectImage, removeImage } from '../engine/images.js';
import { AbortedError, BuildError, EngineUnavailableError, ShipError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import type { ProgressEvent } from '../progress.js';
import { exampleAppDir, loadTestbed, uniqueName } from '../testing/testbed.js';
import { buildImage } from './build-image.js';

// Real engine, nothing mocked: every image gets a unique name and is removed in afterAll.
const images: string[] = [];
let root: string;

beforeAll(async () => {
  loadTestbed();
  root = await mkdtemp(join(tmpdir(), 'ship-build-itg-'));
});
afterAll(async () => {
  for (const image of images) await removeImage(image, { force: true }).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

async function fixture(name: string, tree: Record<string, string | Buffer>): Promise<string> {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

function tagFor(prefix: string): string {
  const tag = `${uniqueName(prefix)}:itg`;
  images.push(tag);
  return tag;
}

/** Containers (running or not) whose command mentions `marker`: the classic builder's intermediate containers. */
async function containersMentioning(marker: string): Promise<string[]> {
  const result = await runProcess('docker', ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}']);
  return result.stdout.split('\n').filter((line) => line.includes(marker));
}

describe('buildImage against the real engine', () => {
  test('the example app builds, with steps reported and the image described', async () => {
    const tag = tagFor('ship-itg-example');
    const events: ProgressEvent[] = [];
    const result = await buildImage({ context: exampleAppDir, tags: [tag], onProgress: (event) => events.push(event) });
    console.info(
      `example build: ${result.durationMs} ms, ${result.steps} steps (${result.cachedSteps} cached), context ${result.contextBytes} bytes in ${result.contextEntries} entries, image ${result.size} bytes`,
    );
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.tags).toEqual([tag]);
    const info = await inspectImage(tag);
    expect(info?.id).toBe(result.imageId);
    expect(info?.exposedPorts).toEqual([5000]);
    expect(info?.user).toBe('app');
    expect(info?.healthcheck?.intervalMs).toBe(5000);
    expect(result.size).toBe(info?.size);
    const steps = events.filter((event) => event.type === 'build-step');
    expect(steps).toHaveLength(result.steps);
    expect(steps.at(-1)?.instruction).toMatch(/^CMD \["gunicorn"/);
    expect(events.at(-1)).toMatchObject({ type: 'phase-end', phase: 'build', ok: true });
  });

  test('a failing RUN rejects with a BuildError naming the step, its exit code and its last lines', async () => {
    const context = await fixture('run-fails', {
      Dockerfile:
        'FROM python:3.11-slim\nRUN echo "about to fail" && python -c "import sys; print(\'boom\'); sys.exit(3)"\nCMD ["python"]\n',
    });
    const error = await buildImage({ context, tags: [tagFor('ship-itg-runfail')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    const buildError = error as BuildError;
    expect(buildError.code).toBe('BUILD_FAILED');
    expect(buildError.step).toBe(`RUN echo "about to fail" && python -c "import sys; print('boom'); sys.exit(3)"`);
    expect(buildError.exitCode).toBe(3);
    expect(buildError.logTail).toEqual(['about to fail', 'boom']);
    expect(buildError.message).toBe(
      `The build failed at step 2/3 \`RUN echo "about to fail" && python -c "import sys; print('boom'); sys.exit(3)"\` with exit code 3 (boom); fix that instruction and build again.`,
    );
  });

  test('a FROM image that does not exist rejects with BASE_IMAGE_NOT_FOUND naming the registry', async () => {
    const missing = `localhost:5001/${uniqueName('ship-itg-nobase')}:1.0`;
    const context = await fixture('no-base', { Dockerfile: `ARG BASE=${missing}\nFROM \${BASE}\nRUN echo never\n` });
    const error = await buildImage({ context }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    expect((error as BuildError).message).toContain(`The base image '${missing}' could not be pulled from localhost:5001 (`);
  });

  test('a FROM image on an unreachable registry names Docker Hub', async () => {
    const context = await fixture('hub-base', { Dockerfile: `FROM ${uniqueName('ship-itg')}/nothing:1\n` });
    const error = await buildImage({ context }).catch((caught: unknown) => caught);
    expect((error as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    expect((error as BuildError).message).toContain('could not be pulled from Docker Hub (docker.io)');
  });

  test('an unknown target is refused before anything is sent, listing the stages', async () => {
    const error = await buildImage({ context: exampleAppDir, target: 'prod' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ShipError);
    expect((error as ShipError).code).toBe('TARGET_NOT_FOUND');
    expect((error as ShipError).message).toBe("Stage 'prod' is not in Dockerfile; the stages are: builder, test, runtime.");
  });

  test('a target builds only up to that stage', async () => {
    const context = await fixture('stages', {
      Dockerfile:
        'FROM python:3.11-slim AS one\nRUN echo first > /one\nFROM one AS two\nRUN echo second > /two\nFROM two AS three\nRUN exit 9\n',
    });
    const result = await buildImage({ context, target: 'two', tags: [tagFor('ship-itg-target')] });
    expect(result.steps).toBe(4);
  });

  test('.dockerignore with a negation: only what it must reaches the engine, and the build sees exactly that', async () => {
    const tree = {
      Dockerfile: 'FROM python:3.11-slim\nCOPY . /ctx\nRUN cd /ctx && find . -mindepth 1 | sort\n',
      'app.py': 'print("hi")\n',
      'docs/manual.md': 'm'.repeat(2_000),
      'docs/keep.md': 'keep',
      'data/big.bin': randomBytes(3_000_000),
      'node_modules/pkg/index.js': 'x'.repeat(500_000),
      '.git/objects/pack': randomBytes(1_000_000),
    };
    const without = await buildImage({ context: await fixture('ignore-none', tree) });
    images.push(without.imageId);

    const context = await fixture('ignore-negation', {
      ...tree,
      '.dockerignore': '# big things stay home\ndata\nnode_modules\n.git\ndocs\n!docs/keep.md\nDockerfile\n',
    });
    const logs: string[] = [];
    const result = await buildImage({
      context,
      noCache: true,
      onProgress: (event) => {
        if (event.type === 'log') logs.push(event.line);
      },
    });
    images.push(result.imageId);
    console.info(`context bytes: ${without.contextBytes} without .dockerignore, ${result.contextBytes} with it`);
    expect(without.contextBytes).toBeGreaterThan(4_500_000);
    expect(result.contextBytes).toBeLessThan(20_000);
    // What COPY . saw: the engine hides the ignored Dockerfile, but keeps .dockerignore (not ignored) and the re-included file.
    expect(logs).toEqual(['./.dockerignore', './app.py', './docs', './docs/keep.md']);
  });

  test('a Dockerfile outside the context is sent under a generated name that COPY never sees', async () => {
    const context = await fixture('outside/ctx', { 'app.py': 'print(1)\n' });
    await fixture('outside/build', { 'app.Dockerfile': 'FROM python:3.11-slim\nCOPY . /ctx\nRUN ls -A /ctx\n' });
    const logs: string[] = [];
    const result = await buildImage({
      context,
      dockerfile: '../build/app.Dockerfile',
      onProgress: (event) => {
        if (event.type === 'log') logs.push(event.line);
      },
    });
    images.push(result.imageId);
    expect(logs).toEqual(['app.py']);
  });

  test('build args, labels, the unused-build-arg warning and the secret-looking-build-arg warning', async () => {
    const context = await fixture('args', {
      Dockerfile: 'FROM python:3.11-slim\nARG GREETING\nARG DB_PASSWORD\nRUN echo "greeting=$GREETING"\n',
    });
    const logs: string[] = [];
    const events: ProgressEvent[] = [];
    const tag = tagFor('ship-itg-args');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const result = await buildImage({
      context,
      tags: [tag],
      buildArgs: { GREETING: 'hallo', UNUSED: 'x', DB_PASSWORD: password },
      labels: { 'org.opencontainers.image.title': 'args' },
      onProgress: (event) => {
        events.push(event);
        if (event.type === 'log') logs.push(event.line);
      },
    });
    expect(logs).toContain('greeting=hallo');
    const secretWarning =
      'The build arg DB_PASSWORD looks like a secret, and the classic builder keeps build arg values in the image history (docker history); pass it at run time as an environment variable or a mounted file instead, since the classic builder has no build secrets.';
    expect(result.warnings).toEqual([secretWarning, 'One or more build-args [UNUSED] were not consumed']);
    expect(events.filter((event) => event.type === 'warning' && event.message.includes('DB_PASSWORD'))).toEqual([
      { type: 'warning', phase: 'build', message: secretWarning },
    ]);
    expect(JSON.stringify({ result, events })).not.toContain(password);
    // What the warning is about: the engine really did keep the value in the image history.
    expect((await imageHistory(tag)).some((entry) => entry.createdBy.includes(password))).toBe(true);
    expect((await inspectImage(tag))?.labels['org.opencontainers.image.title']).toBe('args');
  });

  test('abort during a RUN rejects with AbortedError and leaves no intermediate container', async () => {
    const marker = uniqueName('ship-abort-marker');
    const context = await fixture('abort', { Dockerfile: `FROM python:3.11-slim\nRUN echo ${marker} && sleep 300\n` });
    const controller = new AbortController();
    let runningAtAbort: string[] = [];
    const started = buildImage({
      context,
      noCache: true,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'log' && event.line === marker) {
          void containersMentioning(marker).then((found) => {
            runningAtAbort = found;
            controller.abort();
          });
        }
      },
    });
    await expect(started).rejects.toBeInstanceOf(AbortedError);
    expect(runningAtAbort).toHaveLength(1);
    // The engine stops the RUN container when the client goes away; give it a moment to remove it.
    let leftovers = await containersMentioning(marker);
    for (let i = 0; i < 40 && leftovers.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      leftovers = await containersMentioning(marker);
    }
    expect(leftovers).toEqual([]);
  });

  test('an engine that does not answer throws EngineUnavailableError with the fix', async () => {
    const context = await fixture('unreachable', { Dockerfile: 'FROM scratch\n' });
    const error = await buildImage({ context, connection: { kind: 'tcp', host: '127.0.0.1', port: 1, tls: false } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as Error).message).toBe(
      'No Docker engine answers at tcp://127.0.0.1:1; start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    );
  });
});
