import { exampleAppDir, loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { newRunId } from '../cleanup/labels.js';
import { listShipContainers } from '../cleanup/list.js';
import { cleanup } from '../cleanup/sweep.js';
import { InvalidInputError } from '../errors.js';
import { pullImage } from '../push/pull-image.js';
import { release } from '../release/release.js';
import { runContainer } from '../run/run-container.js';
import { smokeTest } from '../smoke/smoke-test.js';
import type { EngineConnection } from './connection.js';
import { removeImage } from './images.js';
import { inspectEngine } from './info.js';

/**
 * The real-engine paths (build, run, smoke, push, pull, release) against Podman's
 * Docker-compatible API: `podman system service`, started by @container-ship/test-utils/podman-service.
 */
const socketPath = process.env.SHIP_PODMAN_SOCKET;
if (!socketPath) throw new Error('SHIP_PODMAN_SOCKET is unset; run this through npm run test:podman.');
const podman: EngineConnection = { kind: 'unix', socketPath };
const testbed = loadTestbed();
const plain = testbed.registries.plain.host;
const runId = newRunId();
const repo = uniqueName('ship-podman/example');
const built = `${plain}/${repo}:build`;
const images: string[] = [built];

afterAll(async () => {
  await cleanup({ runId, images: true, connection: podman }).catch(() => {});
  for (const image of images) await removeImage(image, { force: true, connection: podman }).catch(() => {});
});

describe('Podman as the engine', () => {
  test('it says it is Podman, and offers only the classic builder', async () => {
    const report = await inspectEngine({ connection: podman });
    expect(report).toMatchObject({ product: 'Podman', builders: ['classic'], os: 'linux' });
    expect(report.version).toMatch(/^\d+\.\d+/);
  });

  test('build the example (its unit tests run in the test stage)', async () => {
    const steps: string[] = [];
    const result = await buildImage({
      context: exampleAppDir,
      tags: [built],
      labels: { 'io.container-ship.run-id': runId },
      connection: podman,
      onProgress: (event) => {
        if (event.type === 'build-step') steps.push(event.instruction);
      },
    });
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // `auto` falls back to the classic builder; asking for BuildKit is refused before anything is sent.
    expect(result.builder).toBe('classic');
    const refused = await buildImage({ context: exampleAppDir, builder: 'buildkit', connection: podman }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as Error).message).toMatch(/has no BuildKit; build with builder 'classic' or 'auto'\.$/);
    // So is an --output (only BuildKit exports files), with how to get BuildKit.
    const output = await buildImage({
      context: exampleAppDir,
      output: { type: 'tar', dest: '/tmp/i11c-podman-never-written.tar' },
      connection: podman,
    }).catch((error: unknown) => error);
    expect(output).toBeInstanceOf(InvalidInputError);
    expect((output as Error).message).toMatch(
      /^An output \(--output\) needs BuildKit, which this engine \(Podman .*\) does not have; build on a Docker engine \(API 1\.39 or later\) or leave the output out\.$/,
    );
    // The runtime stage copies from the test stage, so Buildah (which skips unused stages) runs the unit tests too.
    expect(steps).toContainEqual(expect.stringMatching(/unittest discover/));
    expect(steps.at(-1)).toMatch(/^LABEL /);
  });

  test('run it with a port published on 127.0.0.1, labelled so cleanup finds it', async () => {
    await using app = await runContainer({ image: built, ports: [5000], runId, connection: podman });
    expect(app.hostPort(5000)).toBeGreaterThan(0);
    expect(await listShipContainers({ runId, connection: podman })).toEqual([expect.objectContaining({ name: app.name })]);
    let body = '';
    for (let i = 0; i < 100 && !body.includes('Hello'); i++) {
      body = await fetch(app.urlFor(5000)).then(
        (response) => response.text(),
        () => '',
      );
      if (!body.includes('Hello')) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body).toContain('Hello from Docker!');
  });

  test('smoke test: a wrong answer fails the check and leaves nothing behind', async () => {
    const failed = await smokeTest({ image: built, path: '/nope', runId, connection: podman, timeoutMs: 60_000 });
    expect(failed).toMatchObject({ status: 'failed', httpStatus: 404 });
    expect(await listShipContainers({ runId, connection: podman })).toEqual([]);
  });

  test('release the example (build, smoke, push 1.0.0, promote 1.0, 1, latest), then pull it back by digest', async () => {
    images.push(`${plain}/${repo}:1.0.0`);
    const started = Date.now();
    const result = await release({
      context: exampleAppDir,
      image: `${plain}/${repo}`,
      version: '1.0.0',
      smoke: { expectBody: 'Hello from Docker!' },
      runId,
      connection: podman,
    });
    console.log(`podman: the example's release took ${Date.now() - started} ms`);
    expect(result.smoke).toMatchObject({ status: 'passed', httpStatus: 200, body: 'Hello from Docker!' });
    expect(result.pushed).toBe(true);
    const tags = (await (await fetch(`http://${plain}/v2/${repo}/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(['1', '1.0', '1.0.0', 'latest']);
    const manifest = await fetch(`http://${plain}/v2/${repo}/manifests/1.0.0`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.headers.get('docker-content-digest')).toBe(result.digest);
    const byDigest = `${plain}/${repo}@${result.digest}`;
    images.push(byDigest);
    const pulled = await pullImage({ image: byDigest, connection: podman });
    expect(pulled.imageId).toMatch(/^sha256:/);
    expect(await listShipContainers({ runId, connection: podman })).toEqual([]);
  });
});
