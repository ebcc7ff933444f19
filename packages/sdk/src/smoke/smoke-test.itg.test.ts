import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir, loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { newRunId } from '../cleanup/labels.js';
import { listShipContainers } from '../cleanup/list.js';
import { removeContainer } from '../engine/containers.js';
import { removeImage } from '../engine/images.js';
import { AbortedError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { smokeTest } from './smoke-test.js';

// Real engine, nothing mocked. The fixture apps are a few lines of Python run in the offline
// base image; every container carries this file's run id.
const runId = newRunId();
const base = loadTestbed().baseImage;

function app(status: number, body: string, o: { host?: string; delaySeconds?: number } = {}): string[] {
  return [
    'python',
    '-c',
    [
      'import http.server, sys, time',
      `time.sleep(${o.delaySeconds ?? 0})`,
      'class H(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      `        body = ${JSON.stringify(body)}.encode()`,
      `        self.send_response(${status}); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)`,
      `print("fixture app listening on ${o.host ?? '0.0.0.0'}:5000", flush=True)`,
      `http.server.HTTPServer((${JSON.stringify(o.host ?? '0.0.0.0')}, 5000), H).serve_forever()`,
    ].join('\n'),
  ];
}

afterEach(async () => {
  // Every smoke test removes its container however it ends; checked after each test.
  expect(await listShipContainers({ runId })).toEqual([]);
});

const images: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const container of await listShipContainers({ runId })) await removeContainer(container.id);
  for (const image of images) await removeImage(image, { force: true }).catch(() => {});
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Builds a fixture image from a Dockerfile and files in a temp dir; removed in afterAll. */
async function fixtureImage(dockerfile: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ship-smoke-fixture-'));
  dirs.push(dir);
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const tag = `${uniqueName('ship-itg-smoke')}:fixture`;
  images.push(tag);
  await buildImage({ context: dir, tags: [tag] });
  return tag;
}

describe('smokeTest (real engine)', () => {
  test('the example app builds and passes, reporting its HEALTHCHECK as starting (the verdict does not wait for it)', async () => {
    const tag = `${uniqueName('ship-itg-example')}:smoke`;
    images.push(tag);
    await buildImage({ context: exampleAppDir, tags: [tag] });
    const result = await smokeTest({ image: tag, expectBody: 'Hello from Docker!', runId });
    expect(result).toMatchObject({ status: 'passed', httpStatus: 200, body: 'Hello from Docker!', health: 'starting' });
    expect(result.logs).toContain('Listening at: http://0.0.0.0:5000');
    const health = await smokeTest({ image: tag, path: '/healthz', expectBody: /"status":\s*"ok"/, runId });
    expect(health.status).toBe('passed');
    console.info(`smoke example: ${result.durationMs} ms and ${health.durationMs} ms from start to verdict`);
  });

  test('an image whose HEALTHCHECK turns unhealthy fails with the check output, before the app answers', async () => {
    const image = await fixtureImage(
      [
        `FROM ${base}`,
        'COPY app.py /app.py',
        'HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD ["python", "-c", "import sys; print(\'db connection refused\'); sys.exit(1)"]',
        'CMD ["python", "/app.py"]',
        '',
      ].join('\n'),
      { 'app.py': `${app(200, 'ok', { delaySeconds: 8 })[2]}\n` },
    );
    const result = await smokeTest({ image, runId });
    expect(result).toMatchObject({ status: 'failed', health: 'unhealthy' });
    expect(result.reason).toBe("The image's HEALTHCHECK reports unhealthy: db connection refused.");
  });

  test('an image with a passing HEALTHCHECK that answers at once passes without waiting for a check', async () => {
    const image = await fixtureImage(
      [`FROM ${base}`, 'COPY app.py /app.py', 'HEALTHCHECK --interval=30s CMD ["true"]', 'CMD ["python", "/app.py"]', ''].join(
        '\n',
      ),
      { 'app.py': `${app(200, 'ok')[2]}\n` },
    );
    const result = await smokeTest({ image, runId });
    expect(result).toMatchObject({ status: 'passed', health: 'starting' });
  });

  test('an app that answers 200 with the expected body passes, with progress events and logs', async () => {
    const events: ProgressEvent[] = [];
    const result = await smokeTest({
      image: base,
      command: app(200, 'Hello from container-ship'),
      expectBody: 'container-ship',
      runId,
      onProgress: (event) => events.push(event),
    });
    expect(result).toMatchObject({ status: 'passed', httpStatus: 200, body: 'Hello from container-ship', health: 'none' });
    expect(result.reason).toBeUndefined();
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(result.logs).toContain('fixture app listening on 0.0.0.0:5000');
    expect(result.attempts).toBeGreaterThanOrEqual(1);
    expect(events[0]).toMatchObject({ type: 'phase-start', phase: 'smoke' });
    expect(events.at(-1)).toMatchObject({ type: 'phase-end', phase: 'smoke', ok: true });
    console.info(`smoke pass: ${result.durationMs} ms from start to verdict, ${result.attempts} HTTP tries`);
  });

  test('a RegExp body expectation and a custom path and status', async () => {
    const result = await smokeTest({
      image: base,
      command: app(201, '{"status": "created"}'),
      path: 'healthz',
      expectStatus: 201,
      expectBody: /"status":\s*"created"/,
      runId,
    });
    expect(result).toMatchObject({ status: 'passed', httpStatus: 201 });
    expect(result.url).toMatch(/\/healthz$/);
  });

  test('an app that answers 500 fails with the status, the body and the logs, before the timeout', async () => {
    const result = await smokeTest({ image: base, command: app(500, 'Internal Server Error: boom'), runId, settleMs: 1_000 });
    expect(result).toMatchObject({ status: 'failed', httpStatus: 500, body: 'Internal Server Error: boom' });
    expect(result.reason).toMatch(
      /^GET \/ answered 500 instead of 200: Internal Server Error: boom \(the same for 1(\.\d)? s\)\.$/,
    );
    expect(result.logs).toContain('"GET / HTTP/1.1" 500');
    console.info(`smoke 500: ${result.durationMs} ms from start to verdict`);
  });

  test('a 503 is waited out until the timeout, then fails with the status', async () => {
    const result = await smokeTest({ image: base, command: app(503, 'warming up'), runId, timeoutMs: 2_500, settleMs: 500 });
    expect(result).toMatchObject({ status: 'failed', httpStatus: 503 });
    expect(result.reason).toBe('GET / answered 503 instead of 200: warming up, until the 2.5 s timeout.');
  });

  test('a wrong body fails with what was expected', async () => {
    const result = await smokeTest({ image: base, command: app(200, 'Hello'), expectBody: 'Goodbye', runId, settleMs: 500 });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^GET \/ answered 200 without a body containing "Goodbye": Hello \(the same for/);
  });

  test('an app that never listens fails at the timeout with the hint and its logs', async () => {
    const result = await smokeTest({
      image: base,
      command: ['python', '-c', 'import time\nprint("loading a model, not listening yet", flush=True)\ntime.sleep(600)'],
      runId,
      timeoutMs: 2_000,
    });
    expect(result.status).toBe('failed');
    expect(result.httpStatus).toBeUndefined();
    expect(result.reason).toMatch(
      /^Nothing answered on port 5000 within 2 s \(last error: .+\); make sure the app listens on 0\.0\.0\.0:5000 inside the container, or raise the timeout\.$/,
    );
    expect(result.logs).toContain('loading a model, not listening yet');
  });

  test('an app listening on 127.0.0.1 inside the container is unreachable, and the hint says so', async () => {
    const result = await smokeTest({ image: base, command: app(200, 'ok', { host: '127.0.0.1' }), runId, timeoutMs: 2_000 });
    expect(result.status).toBe('failed');
    expect(result.reason).toContain('make sure the app listens on 0.0.0.0:5000');
    expect(result.logs).toContain('fixture app listening on 127.0.0.1:5000');
  });

  test('a container that exits at once fails fast with its exit code and last log line', async () => {
    const result = await smokeTest({
      image: base,
      command: ['python', '-c', 'import sys\nprint("reading config", flush=True)\nsys.exit("KeyError: DATABASE_URL")'],
      runId,
    });
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.reason).toBe(
      'The container exited with code 1 before the check passed; its last log line: KeyError: DATABASE_URL.',
    );
    expect(result.logs).toContain('reading config');
    console.info(`smoke exit: ${result.durationMs} ms from start to verdict`);
  });

  test('a container that exits after a while is caught while it is being polled', async () => {
    const result = await smokeTest({
      image: base,
      command: ['python', '-c', 'import time, sys\ntime.sleep(1.5)\nprint("giving up", flush=True)\nsys.exit(4)'],
      runId,
    });
    expect(result).toMatchObject({ status: 'failed', exitCode: 4 });
    expect(result.reason).toContain('its last log line: giving up');
  });

  test('env reaches the container', async () => {
    const result = await smokeTest({
      image: base,
      command: ['sh', '-c', 'exec python -m http.server 5000 --directory "$SERVE_DIR"'],
      env: { SERVE_DIR: '/etc' },
      expectBody: 'os-release',
      runId,
    });
    expect(result.status).toBe('passed');
  });

  test('an abort during the check rejects with AbortedError and removes the container', async () => {
    const controller = new AbortController();
    const events: ProgressEvent[] = [];
    const pending = smokeTest({
      image: base,
      command: ['sleep', '600'],
      runId,
      signal: controller.signal,
      onProgress: (event) => {
        events.push(event);
        if (event.type === 'info' && event.phase === 'run') setTimeout(() => controller.abort(), 300);
      },
    });
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(events.at(-1)).toMatchObject({ type: 'phase-end', phase: 'smoke', ok: false });
  });

  test('a missing image rejects with IMAGE_NOT_FOUND', async () => {
    await expect(smokeTest({ image: `${uniqueName('ship-itg-nope')}:1`, runId, pull: 'never' })).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
  });
});
