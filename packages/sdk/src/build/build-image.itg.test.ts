import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exampleAppDir, loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imageHistory, inspectImage, removeImage } from '../engine/images.js';
import { AbortedError, BuildError, EngineUnavailableError, ShipError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import type { ProgressEvent } from '../progress.js';
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

async function makeFixture(name: string, tree: Record<string, string | Buffer>): Promise<string> {
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

/** Processes (the BuildKit RUN's shell) whose command line mentions `marker`. */
async function processesMentioning(marker: string): Promise<string[]> {
  const result = await runProcess('ps', ['-eo', 'args']);
  return result.stdout.split('\n').filter((line) => line.includes(marker));
}

describe.each(['buildkit', 'classic'] as const)('buildImage with the %s builder against the real engine', (builder) => {
  const fixture = (name: string, tree: Record<string, string | Buffer>) => makeFixture(`${builder}-${name}`, tree);

  test('the example app builds, with steps reported and the image described', async () => {
    const tag = tagFor('ship-itg-example');
    const events: ProgressEvent[] = [];
    const result = await buildImage({ context: exampleAppDir, tags: [tag], builder, onProgress: (event) => events.push(event) });
    expect(result.builder).toBe(builder);
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
    if (builder === 'classic') expect(steps.at(-1)?.instruction).toMatch(/^CMD \["gunicorn"/);
    else {
      expect(steps.at(-1)?.name).toMatch(/^\[runtime \d+\/\d+\] COPY .*app.py/);
      // The runtime stage copies the test stage's marker, so BuildKit (which skips unneeded stages) runs the tests.
      expect(steps.map((step) => step.name)).toContainEqual(expect.stringMatching(/^\[test \d+\/\d+\] RUN .*unittest/));
      expect(events).toContainEqual(expect.objectContaining({ type: 'build-step-end', name: steps.at(-1)?.name, ok: true }));
    }
    expect(events).toContainEqual({
      type: 'info',
      phase: 'build',
      message: expect.stringMatching(builder === 'buildkit' ? /^Builder: BuildKit \(Docker / : /^Builder: classic \(Docker /),
    });
    expect(events.at(-1)).toMatchObject({ type: 'phase-end', phase: 'build', ok: true });
  });

  test('a failing RUN rejects with a BuildError naming the step, its exit code and its last lines', async () => {
    const context = await fixture('run-fails', {
      Dockerfile:
        'FROM python:3.11-slim\nRUN echo "about to fail" && python -c "import sys; print(\'boom\'); sys.exit(3)"\nCMD ["python"]\n',
    });
    const error = await buildImage({ context, builder, tags: [tagFor('ship-itg-runfail')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    const buildError = error as BuildError;
    expect(buildError.code).toBe('BUILD_FAILED');
    expect(buildError.step).toBe(`RUN echo "about to fail" && python -c "import sys; print('boom'); sys.exit(3)"`);
    expect(buildError.exitCode).toBe(3);
    expect(buildError.logTail).toEqual(['about to fail', 'boom']);
    expect(buildError.message).toBe(
      `The build failed at step ${builder === 'classic' ? '2/3' : '2/2'} \`RUN echo "about to fail" && python -c "import sys; print('boom'); sys.exit(3)"\` with exit code 3 (boom); fix that instruction and build again.`,
    );
  });

  test('a FROM image that does not exist rejects with BASE_IMAGE_NOT_FOUND naming the registry', async () => {
    const missing = `localhost:5001/${uniqueName('ship-itg-nobase')}:1.0`;
    const context = await fixture('no-base', { Dockerfile: `ARG BASE=${missing}\nFROM \${BASE}\nRUN echo never\n` });
    const error = await buildImage({ context, builder }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    expect((error as BuildError).message).toContain(`The base image '${missing}' could not be pulled from localhost:5001 (`);
  });

  test('a FROM image on an unreachable registry names Docker Hub', async () => {
    const context = await fixture('hub-base', { Dockerfile: `FROM ${uniqueName('ship-itg')}/nothing:1\n` });
    const error = await buildImage({ context, builder }).catch((caught: unknown) => caught);
    expect((error as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    expect((error as BuildError).message).toContain('could not be pulled from Docker Hub (docker.io)');
  });

  test('an unknown target is refused before anything is sent, listing the stages', async () => {
    const error = await buildImage({ context: exampleAppDir, builder, target: 'prod' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ShipError);
    expect((error as ShipError).code).toBe('TARGET_NOT_FOUND');
    expect((error as ShipError).message).toBe("Stage 'prod' is not in Dockerfile; the stages are: builder, deps, test, runtime.");
  });

  test('a target builds only up to that stage', async () => {
    const context = await fixture('stages', {
      Dockerfile:
        'FROM python:3.11-slim AS one\nRUN echo first > /one\nFROM one AS two\nRUN echo second > /two\nFROM two AS three\nRUN exit 9\n',
    });
    const result = await buildImage({ context, builder, target: 'two', tags: [tagFor('ship-itg-target')] });
    // BuildKit has no step for `FROM one`, a stage it already has.
    expect(result.steps).toBe(builder === 'classic' ? 4 : 3);
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
    const without = await buildImage({ context: await fixture('ignore-none', tree), builder });
    images.push(without.imageId);

    const context = await fixture('ignore-negation', {
      ...tree,
      '.dockerignore': '# big things stay home\ndata\nnode_modules\n.git\ndocs\n!docs/keep.md\nDockerfile\n',
    });
    const logs: string[] = [];
    const build = (choice: 'auto' | 'buildkit' | 'classic') =>
      buildImage({
        context,
        noCache: true,
        builder: choice,
        onProgress: (event) => {
          if (event.type === 'log') logs.push(event.line);
        },
      });
    if (builder === 'buildkit') {
      // BuildKit would let `COPY .` take the ignored Dockerfile: refused when asked for, and `auto` builds classic.
      await expect(build('buildkit')).rejects.toThrow(
        'Not building with BuildKit: the Dockerfile is listed in .dockerignore and BuildKit would let `COPY . /ctx` copy it into the image;',
      );
    }
    const result = await build(builder === 'buildkit' ? 'auto' : 'classic');
    expect(result.builder).toBe('classic');
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
      builder: builder === 'buildkit' ? 'auto' : 'classic',
      noCache: true,
      dockerfile: '../build/app.Dockerfile',
      onProgress: (event) => {
        if (event.type === 'log') logs.push(event.line);
      },
    });
    images.push(result.imageId);
    expect(result.builder).toBe('classic');
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
      builder,
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
      'The build arg DB_PASSWORD looks like a secret, and build arg values stay in the image history (docker history); pass it as a build secret instead (--secret id=NAME,env=VAR, read with RUN --mount=type=secret,id=NAME), or at run time as an environment variable.';
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
    const running = builder === 'classic' ? containersMentioning : processesMentioning;
    const started = buildImage({
      context,
      builder,
      noCache: true,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'log' && event.line === marker) {
          void running(marker).then((found) => {
            runningAtAbort = found;
            controller.abort();
          });
        }
      },
    });
    await expect(started).rejects.toBeInstanceOf(AbortedError);
    expect(runningAtAbort).toHaveLength(1);
    // The engine stops the RUN container when the client goes away; give it a moment to remove it.
    let leftovers = await running(marker);
    for (let i = 0; i < 40 && leftovers.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      leftovers = await running(marker);
    }
    expect(leftovers).toEqual([]);
  });

  test('an engine that does not answer throws EngineUnavailableError with the fix', async () => {
    const context = await fixture('unreachable', { Dockerfile: 'FROM scratch\n' });
    const error = await buildImage({
      context,
      builder,
      connection: { kind: 'tcp', host: '127.0.0.1', port: 1, tls: false },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as Error).message).toMatch(
      /^No Docker engine answers at tcp:\/\/127\.0\.0\.1:1; start Docker \(or dockerd\), or point DOCKER_HOST at a running engine\.$/,
    );
  });
});
