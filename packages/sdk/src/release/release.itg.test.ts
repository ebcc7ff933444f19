import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir, loadTestbed, uniqueName } from '@container-ship/test-utils';
import { startRegistryProxy } from '@container-ship/test-utils/registry';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { newRunId } from '../cleanup/labels.js';
import { listShipContainers } from '../cleanup/list.js';
import { cleanup } from '../cleanup/sweep.js';
import { inspectImage, removeImage } from '../engine/images.js';
import { AbortedError } from '../errors.js';
import type { ProgressEvent } from '../progress.js';
import { readGitContext } from '../tags/git-context.js';
import { ReleaseError, release } from './release.js';

// Real engine, real registries (localhost:5001 without auth, localhost:5002 with htpasswd).
const testbed = loadTestbed();
const plain = testbed.registries.plain.host;
const authed = testbed.registries.auth;
const runId = newRunId();
const dirs: string[] = [];

async function registryTags(host: string, repository: string, basic?: { username: string; password: string }) {
  const headers: Record<string, string> = basic
    ? { authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}` }
    : {};
  const response = await fetch(`http://${host}/v2/${repository}/tags/list`, { headers });
  const body = (await response.json()) as { tags?: string[] | null; errors?: Array<{ code: string }> };
  return { status: response.status, tags: [...(body.tags ?? [])].sort(), errors: (body.errors ?? []).map((e) => e.code) };
}

async function fixtureApp(status: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ship-release-fixture-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'app.py'),
    [
      'import http.server',
      'class H(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      `        body = b"fixture says ${status}"`,
      `        self.send_response(${status}); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)`,
      'print("fixture listening on 5000", flush=True)',
      'http.server.HTTPServer(("0.0.0.0", 5000), H).serve_forever()',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'Dockerfile'),
    `FROM ${testbed.baseImage}\nCOPY app.py /app.py\nEXPOSE 5000\nCMD ["python", "/app.py"]\n`,
  );
  return dir;
}

let okApp: string;
let failingApp: string;

beforeAll(async () => {
  okApp = await fixtureApp(200);
  failingApp = await fixtureApp(500);
});

afterEach(async () => {
  expect(await listShipContainers({ runId })).toEqual([]);
});

/** Local tags the releases put on their builds (the first tag of each repository). */
const localTags: string[] = [];

afterAll(async () => {
  for (const tag of localTags) await removeImage(tag, { force: true }).catch(() => {});
  await cleanup({ runId, images: true });
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('release (real engine, real registries)', () => {
  const repo = uniqueName('ship-itg/release-example');

  test('the example: build, smoke test, push 1.0.0 by engine and 1.0, 1, latest by promotion', async () => {
    const events: ProgressEvent[] = [];
    localTags.push(`${plain}/${repo}:1.0.0`, `${plain}/${repo}:0.9.0`);
    const started = Date.now();
    const result = await release({
      context: exampleAppDir,
      image: `${plain}/${repo}`,
      version: '1.0.0',
      smoke: { expectBody: 'Hello from Docker!' },
      runId,
      onProgress: (event) => events.push(event),
    });
    const wallMs = Date.now() - started;
    expect(result.pushed).toBe(true);
    expect(result.version).toBe('1.0.0');
    expect(result.tags).toEqual(['1.0.0', '1.0', '1', 'latest'].map((tag) => `${plain}/${repo}:${tag}`));
    expect(result.smoke).toMatchObject({ status: 'passed', httpStatus: 200, body: 'Hello from Docker!' });
    // The example's HEALTHCHECK runs every 5 s; the verdict does not wait for it.
    expect(result.smoke?.health).toBe('starting');
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.publish).toEqual([
      expect.objectContaining({
        registry: plain,
        repository: `${plain}/${repo}`,
        ok: true,
        digest: result.digest,
        methods: {
          [`${plain}/${repo}:1.0.0`]: 'push',
          [`${plain}/${repo}:1.0`]: 'promote',
          [`${plain}/${repo}:1`]: 'promote',
          [`${plain}/${repo}:latest`]: 'promote',
        },
      }),
    ]);
    expect(await registryTags(plain, repo)).toEqual({ status: 200, tags: ['1', '1.0', '1.0.0', 'latest'], errors: [] });
    const labels = (await inspectImage(result.imageId))?.labels ?? {};
    expect(labels).toMatchObject({
      'io.container-ship.managed': 'true',
      'io.container-ship.purpose': 'release',
      'org.opencontainers.image.version': '1.0.0',
    });
    // Nothing per run on the image (the run id is on the smoke container only).
    expect(labels['io.container-ship.run-id']).toBeUndefined();
    expect(Object.keys(result.durations)).toEqual(['build', 'smoke', 'push']);
    const phases = events.filter((e) => e.type === 'phase-start').map((e) => (e as { phase: string }).phase);
    expect(phases[0]).toBe('release');
    expect(phases).toEqual(expect.arrayContaining(['build', 'smoke', 'push', 'promote']));
    expect(events.at(-1)).toMatchObject({ type: 'phase-end', phase: 'release', ok: true });
    console.info(
      `release wall ${wallMs} ms: build ${result.durations.build} ms, smoke ${result.durations.smoke} ms (verdict ${result.smoke?.durationMs} ms), push ${result.durations.push} ms`,
    );
  });

  test('SOURCE_DATE_EPOCH in the release env sets the created label', async () => {
    const image = `${plain}/${uniqueName('i12-epoch/flask-app')}`;
    localTags.push(`${image}:3.0.0`);
    const result = await release({
      context: exampleAppDir,
      image,
      version: '3.0.0',
      env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
      smoke: false,
      push: false,
      runId,
    });
    const labels = (await inspectImage(result.imageId))?.labels ?? {};
    expect(labels['org.opencontainers.image.created']).toBe('2023-11-14T22:13:20.000Z');
  });

  test('releasing the unchanged example twice: same image and digest, then 0 blob bytes and no manifest write', async () => {
    // Counted at the registry: every request of both releases goes through this proxy.
    const proxy = await startRegistryProxy({ upstream: `http://${plain}` });
    const again = uniqueName('i12-rerelease/flask-app');
    const image = `${proxy.host}/${again}`;
    localTags.push(`${image}:2.0.0`);
    const git = await readGitContext({ cwd: exampleAppDir });
    expect(git.commitDate).toBeDefined();
    const options = { context: exampleAppDir, image, version: '2.0.0', git, runId, smoke: { expectBody: 'Hello' } };
    try {
      const first = await release(options);
      expect(first).toMatchObject({ pushed: true, alreadyPublished: false });
      expect(proxy.blobBytesUploaded()).toBeGreaterThan(0);
      const labels = (await inspectImage(first.imageId))?.labels ?? {};
      expect(labels['org.opencontainers.image.created']).toBe(new Date(git.commitDate ?? '').toISOString());

      const before = proxy.requests.length;
      const events: ProgressEvent[] = [];
      const second = await release({ ...options, onProgress: (event) => events.push(event) });
      const requests = proxy.requests.slice(before);
      expect(second.imageId).toBe(first.imageId);
      expect(second.digest).toBe(first.digest);
      expect(second).toMatchObject({ pushed: true, alreadyPublished: true, tags: first.tags });
      expect(second.smoke?.status).toBe('passed');
      // Only reads: the tag list and one HEAD per tag; no blob upload, no manifest PUT.
      expect(requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
      expect(requests.filter((r) => r.method === 'HEAD' && r.path.includes('/manifests/'))).toHaveLength(4);
      expect(requests.reduce((sum, r) => sum + r.bytesIn, 0)).toBe(0);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'phase-end',
          phase: 'release',
          ok: true,
          message: `2.0.0 was already published to ${image} as ${first.digest}; nothing pushed`,
        }),
      );
      expect(events.some((e) => e.type === 'phase-start' && e.phase === 'push')).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  test('an older version released later does not move latest or 1 backwards', async () => {
    const result = await release({ context: okApp, image: `${plain}/${repo}`, version: '0.9.0', runId });
    expect(result.tags).toEqual([`${plain}/${repo}:0.9.0`, `${plain}/${repo}:0.9`]);
    expect(result.plan.skipped.map((s) => s.tag)).toEqual([`${plain}/${repo}:latest`]);
    expect(await registryTags(plain, repo)).toEqual({
      status: 200,
      tags: ['0.9', '0.9.0', '1', '1.0', '1.0.0', 'latest'],
      errors: [],
    });
  });

  test('a failing smoke test pushes nothing: the repository does not exist afterwards', async () => {
    const failRepo = uniqueName('ship-itg/release-smoke-fails');
    localTags.push(`${plain}/${failRepo}:2.0.0`);
    const error = await release({
      context: failingApp,
      image: `${plain}/${failRepo}`,
      version: '2.0.0',
      smoke: { settleMs: 1_000 },
      runId,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    const releaseError = error as ReleaseError;
    expect(releaseError.code).toBe('SMOKE_FAILED');
    expect(releaseError.phase).toBe('smoke');
    expect(releaseError.message).toMatch(
      /^The smoke test of localhost:5001\/ship-itg\/release-smoke-fails-\w+ failed \(GET \/ answered 500 instead of 200: fixture says 500 \(the same for [\d.]+ s\)\); nothing was pushed: fix the app or the smoke settings and release again\.$/,
    );
    expect(releaseError.result.pushed).toBe(false);
    expect(releaseError.result.publish).toEqual([]);
    expect(releaseError.result.smoke?.logs).toContain('"GET / HTTP/1.1" 500');
    expect(await registryTags(plain, failRepo)).toMatchObject({ status: 404, errors: ['NAME_UNKNOWN'] });
  });

  test('two registries, one with a wrong password: the other is published, the release fails and says which', async () => {
    const twoRepo = uniqueName('ship-itg/release-two');
    localTags.push(`${plain}/${twoRepo}:3.1.0`, `${authed.host}/${twoRepo}:3.1.0`);
    const error = await release({
      context: okApp,
      image: twoRepo,
      version: '3.1.0',
      registries: [
        { registry: plain },
        { registry: authed.host, auth: { username: authed.username, password: 'wrong-password' } },
      ],
      runId,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    const releaseError = error as ReleaseError;
    expect(releaseError.code).toBe('PUSH_FAILED');
    expect(releaseError.message).not.toContain('wrong-password');
    expect(releaseError.message).toMatch(
      new RegExp(
        `^Publishing to 1 of 2 repositories failed: ${authed.host}/${twoRepo}: .*; published ${plain}/${twoRepo}:3\\.1\\.0, .*; ${authed.host}/${twoRepo}:3\\.1\\.0, .* failed; fix it and release again\\.$`,
      ),
    );
    const [good, bad] = releaseError.result.publish;
    expect(good).toMatchObject({ ok: true, repository: `${plain}/${twoRepo}` });
    expect(good?.refs).toEqual(['3.1.0', '3.1', '3', 'latest'].map((tag) => `${plain}/${twoRepo}:${tag}`));
    expect(bad).toMatchObject({ ok: false, repository: `${authed.host}/${twoRepo}`, refs: [], code: 'REGISTRY_UNAUTHORIZED' });
    expect(releaseError.result.pushed).toBe(false);
    expect(releaseError.result.tags).toEqual(good?.refs);
    expect(releaseError.result.failedTags).toEqual(
      ['3.1.0', '3.1', '3', 'latest'].map((tag) => `${authed.host}/${twoRepo}:${tag}`),
    );
    expect(await registryTags(plain, twoRepo)).toEqual({ status: 200, tags: ['3', '3.1', '3.1.0', 'latest'], errors: [] });
    expect(await registryTags(authed.host, twoRepo, authed)).toMatchObject({ status: 404, errors: ['NAME_UNKNOWN'] });
  });

  test('an abort during the smoke test leaves no container and pushes nothing', async () => {
    const abortRepo = uniqueName('ship-itg/release-abort');
    localTags.push(`${plain}/${abortRepo}:1.0.0`);
    const controller = new AbortController();
    const pending = release({
      context: okApp,
      image: `${plain}/${abortRepo}`,
      version: '1.0.0',
      // A command that never listens keeps the smoke test polling until the abort.
      smoke: { command: ['sleep', '600'] },
      runId,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'info' && event.phase === 'run') setTimeout(() => controller.abort(), 200);
      },
    });
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(await registryTags(plain, abortRepo)).toMatchObject({ status: 404, errors: ['NAME_UNKNOWN'] });
  });

  test('push: false builds and smoke-tests, and contacts no registry', async () => {
    const dryRepo = uniqueName('ship-itg/release-dry');
    localTags.push(`${plain}/${dryRepo}:4.0.0`);
    const result = await release({ context: okApp, image: `${plain}/${dryRepo}`, version: 'v4.0.0', push: false, runId });
    expect(result).toMatchObject({ pushed: false, publish: [], version: '4.0.0' });
    expect(result.smoke?.status).toBe('passed');
    expect(result.tags).toEqual(['4.0.0', '4.0', '4', 'latest'].map((tag) => `${plain}/${dryRepo}:${tag}`));
    expect(await registryTags(plain, dryRepo)).toMatchObject({ status: 404, errors: ['NAME_UNKNOWN'] });
  });

  test('bad input fails before anything is built', async () => {
    await expect(release({ context: okApp, image: `${plain}/app:1.0`, version: '1.0.0', runId })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(release({ context: okApp, image: `${plain}/app`, version: 'bad tag', runId })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
