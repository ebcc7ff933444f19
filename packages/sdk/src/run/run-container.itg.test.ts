import { createServer, type Server } from 'node:net';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { LABELS, newRunId } from '../cleanup/labels.js';
import { listShipContainers } from '../cleanup/list.js';
import { inspectContainer, removeContainer } from '../engine/containers.js';
import { inspectImage, removeImage } from '../engine/images.js';
import { AbortedError, ShipError } from '../errors.js';
import { pushImage } from '../push/push-image.js';
import { runContainer } from './run-container.js';

// Real engine, nothing mocked. Everything this file makes carries this run id.
const runId = newRunId();
const base = loadTestbed().baseImage;
const registry = loadTestbed().registries.plain.host;

const HTTP_APP = [
  'python',
  '-c',
  [
    'import http.server, sys',
    'class H(http.server.BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    '        body = b"hello from " + self.path.encode()',
    '        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)',
    'print("listening on 5000", flush=True)',
    'print("to stderr", file=sys.stderr, flush=True)',
    'http.server.HTTPServer(("0.0.0.0", 5000), H).serve_forever()',
  ].join('\n'),
];

// docker-proxy can accept a connection while the container is still starting and never answer
// it, so each try gets a short timeout of its own.
async function getText(url: string): Promise<{ status: number; body: string }> {
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

afterAll(async () => {
  for (const container of await listShipContainers({ runId })) await removeContainer(container.id);
});

describe('runContainer (real engine)', () => {
  test('publishes on 127.0.0.1 with an engine-picked port, labels the container, and is removed on dispose', async () => {
    let id: string;
    {
      await using app = await runContainer({ image: base, command: HTTP_APP, ports: [5000], runId, purpose: 'run' });
      id = app.id;
      expect(app.name).toMatch(new RegExp(`^ship-run-${runId}-`));
      expect(app.ports).toHaveLength(1);
      expect(app.ports[0]).toMatchObject({ hostIp: '127.0.0.1', containerPort: 5000, protocol: 'tcp' });
      expect(app.hostPort(5000)).toBeGreaterThan(0);
      expect(app.urlFor()).toBe(`http://127.0.0.1:${app.hostPort()}`);

      const answer = await getText(`${app.urlFor(5000)}/ping`);
      expect(answer).toEqual({ status: 200, body: 'hello from /ping' });

      const listed = (await listShipContainers({ runId })).find((c) => c.id === id);
      expect(listed).toMatchObject({ name: app.name, image: base, state: 'running', purpose: 'run', runId });

      const logs = await app.logs();
      expect(logs).toContain('listening on 5000');
      expect(logs).toContain('to stderr');
      expect(await app.logs({ tail: 1 })).not.toContain('listening on 5000');
    }
    expect(await inspectContainer(id)).toBeUndefined();
  });

  test('streamLogs follows output line by line; wait gives the exit code; stop and remove are idempotent', async () => {
    const app = await runContainer({
      image: base,
      command: [
        'python',
        '-c',
        'import time, sys\nfor i in range(3):\n    print(f"line {i}", flush=True); time.sleep(0.2)\nsys.exit(7)',
      ],
      runId,
    });
    try {
      const lines: string[] = [];
      const stop = app.streamLogs((line) => lines.push(line));
      expect(await app.wait()).toEqual({ exitCode: 7 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      stop();
      expect(lines).toEqual(['line 0', 'line 1', 'line 2']);
      await app.stop();
      const state = await app.inspect();
      expect(state).toMatchObject({ running: false, exitCode: 7, health: 'none' });
      expect(() => app.urlFor()).toThrow(/publishes no ports/);
    } finally {
      await app.remove();
      await app.remove();
    }
    expect(await app.inspect()).toBeUndefined();
  });

  test('stop() stops a running container (SIGTERM)', async () => {
    await using app = await runContainer({ image: base, command: HTTP_APP, ports: ['127.0.0.1::5000'], runId });
    await app.stop({ timeoutSeconds: 2 });
    const state = await app.inspect();
    expect(state?.running).toBe(false);
  });

  test('a host port already in use is PORT_IN_USE naming the port, and nothing is left behind', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const name = uniqueName('ship-itg-port');
    try {
      const error = await runContainer({ image: base, command: HTTP_APP, ports: [`${port}:5000`], name, runId }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ShipError);
      expect(error).toMatchObject({ code: 'PORT_IN_USE' });
      expect((error as Error).message).toBe(
        `Port ${port} on 127.0.0.1 is already in use; stop whatever listens there, pick another host port, or publish '5000' alone to let the engine choose a free one.`,
      );
      expect((await listShipContainers({ runId })).map((c) => c.name)).not.toContain(name);
    } finally {
      server.close();
    }
  });

  test('a missing image is IMAGE_NOT_FOUND (pull disabled) with the fix', async () => {
    const image = `${uniqueName('ship-itg-missing')}:nope`;
    const error = await runContainer({ image, runId, pull: 'never' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect((error as Error).message).toBe(
      `Image '${image}' is not in the engine and could not be pulled; build it first (ship build) or pull it, and check the name and your registry login.`,
    );
  });

  test('a missing image is pulled from its registry, like docker run does', async () => {
    const image = `${registry}/${uniqueName('ship-itg-pull')}:1`;
    await pushImage({ image: base, tags: [image] });
    await removeImage(image);
    expect(await inspectImage(image)).toBeUndefined();
    try {
      const phases: string[] = [];
      await using app = await runContainer({
        image,
        command: ['sleep', '30'],
        runId,
        onProgress: (event) => {
          if (event.type === 'phase-start') phases.push(event.phase);
        },
      });
      expect(phases).toContain('pull');
      expect((await app.inspect())?.running).toBe(true);
      expect(await inspectImage(image)).toBeDefined();
    } finally {
      await removeImage(image).catch(() => {});
    }
  });

  test('a missing image that is in no registry is IMAGE_NOT_FOUND with the registry reason', async () => {
    const image = `${registry}/${uniqueName('ship-itg-missing')}:nope`;
    const error = await runContainer({ image, runId }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect((error as Error).message).toMatch(
      new RegExp(`^Image '${image}' is not in the engine and could not be pulled \\(\\w+\\); build it first \\(ship build\\)`),
    );
  });

  test('a command that does not exist fails to start with CONTAINER_FAILED, and the container is removed', async () => {
    const name = uniqueName('ship-itg-badcmd');
    const error = await runContainer({ image: base, command: ['/no/such/binary'], name, runId }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONTAINER_FAILED' });
    expect((error as Error).message).toMatch(/failed to start \(.*no such file or directory.*\); check the image's CMD/);
    expect((await listShipContainers({ runId })).map((c) => c.name)).not.toContain(name);
  });

  test('an abort before start rejects with AbortedError; an abort later removes the container', async () => {
    const early = new AbortController();
    early.abort();
    await expect(runContainer({ image: base, command: HTTP_APP, runId, signal: early.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );

    const late = new AbortController();
    const app = await runContainer({ image: base, command: HTTP_APP, ports: [5000], runId, signal: late.signal });
    expect((await app.inspect())?.running).toBe(true);
    late.abort();
    for (let i = 0; i < 50 && (await app.inspect()) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await app.inspect()).toBeUndefined();
  });

  test('labels: the io.container-ship.* labels are set and the caller’s own labels kept', async () => {
    await using app = await runContainer({ image: base, command: ['sleep', '30'], runId, labels: { team: 'payments' } });
    const [listed] = (await listShipContainers({ runId })).filter((c) => c.id === app.id);
    expect(listed).toMatchObject({ purpose: 'run', runId });
    expect(listed?.owner).toMatch(/:\d+$/);
    expect(LABELS.managed).toBe('io.container-ship.managed');
  });
});
