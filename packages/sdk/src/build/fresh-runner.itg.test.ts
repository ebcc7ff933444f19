import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir, loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyImages, type SecondEngine, startSecondEngine, sweepSecondEngines } from '../../../../scripts/lib/second-engine.mjs';
import { newRunId } from '../cleanup/labels.js';
import { cleanup } from '../cleanup/sweep.js';
import { engineBuildInfo, inspectImage, removeImage } from '../engine/images.js';
import type { ProgressEvent } from '../progress.js';
import { release } from '../release/release.js';
import { buildImage } from './build-image.js';

// A fresh CI runner is a second dockerd with an empty cache, its own data root, exec root, socket and
// bridge (scripts/lib/second-engine.mjs). The example is released from the test bed's engine, which
// pushes inline cache by default; a copy with app.py edited is released on one fresh engine with
// `cacheFrom` the released tag, as a second CI run does, and built on another without it (the control). Two engines, because pruning one does not empty it:
// after `/build/prune?all=true` a rebuild of the same source still skipped the test stage's steps.
const testbed = loadTestbed();
const registry = testbed.registries.plain.host;
const runId = newRunId();
const engines: SecondEngine[] = [];
let work: string;

/** The dependency steps of the example's Dockerfile: everything an app.py edit does not touch. */
const DEPENDENCY_STEPS = [
  /^\[builder \d+\/\d+\] RUN python -m venv/,
  /^\[builder \d+\/\d+\] COPY requirements\.txt/,
  /^\[builder \d+\/\d+\] RUN pip --python \/opt\/venv\/bin\/python install/,
  /^\[deps \d+\/\d+\] RUN useradd/,
  /^\[deps \d+\/\d+\] COPY --from=builder \/opt\/venv/,
];
/** What the edit changes: these must run again everywhere. */
const APP_STEPS = [
  /^\[test \d+\/\d+\] COPY app\.py/,
  /^\[test \d+\/\d+\] RUN \/opt\/venv\/bin\/python -m unittest/,
  /^\[runtime \d+\/\d+\] COPY --from=test \/app\/app\.py/,
];

function stepEnds(events: ProgressEvent[]) {
  return events.flatMap((event) => (event.type === 'build-step-end' ? [event] : []));
}

function cachedByPattern(events: ProgressEvent[], patterns: RegExp[]): boolean[] {
  const ends = stepEnds(events);
  return patterns.map((pattern) => {
    const end = ends.find((candidate) => pattern.test(candidate.name));
    if (!end) throw new Error(`no step matches ${pattern}; steps: ${ends.map((e) => e.name).join(' | ')}`);
    return end.cached;
  });
}

function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(root));
}

function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Nothing of the engine is left: no process, mount, bridge or directory. */
function expectGone(engine: { root: string; bridge: string }) {
  expect(processesUnder(engine.root)).toEqual([]);
  expect(mountsUnder(engine.root)).toEqual([]);
  expect(existsSync(`/sys/class/net/${engine.bridge}`)).toBe(false);
  expect(existsSync(engine.root)).toBe(false);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'i11a-fresh-runner-'));
  // Two empty engines; each is stopped in afterAll even when the other failed to start.
  const started = await Promise.allSettled([startSecondEngine({ prefix: 'i11a' }), startSecondEngine({ prefix: 'i11a' })]);
  for (const outcome of started) if (outcome.status === 'fulfilled') engines.push(outcome.value);
  for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
  // The base image, offline, as a runner's own pull would give it; one `docker save` feeds both.
  await copyImages([testbed.baseImage], { to: engines.map((engine) => engine.host) });
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
  for (const engine of engines) expectGone(engine);
  await cleanup({ runId, images: true });
  await rm(work, { recursive: true, force: true });
});

describe('a fresh CI runner (a second dockerd with an empty cache)', () => {
  test('after an app.py edit, the build without cache-from runs every step; with cache-from the image a default release pushed, the dependency steps come from the registry', async () => {
    const repository = `${registry}/${uniqueName('i11a-fresh/app')}`;
    // No cache settings: a release pushes inline cache by default.
    const released = await release({
      context: exampleAppDir,
      image: repository,
      version: '1.0.0',
      // The smoke test is the release tests' subject; here only the pushed image and its cache matter.
      smoke: false,
      runId,
    });
    expect(released.pushed).toBe(true);
    const localTags = released.tags;

    try {
      const edited = join(work, 'app');
      await cp(exampleAppDir, edited, { recursive: true });
      await appendFile(join(edited, 'app.py'), '\n# edited on the fresh runner\n');

      const [runner, control] = engines as [SecondEngine, SecondEngine];
      const cachedEvents: ProgressEvent[] = [];
      // The second CI run: a release on the fresh runner that reads the first one's cache.
      const second = await release({
        context: edited,
        image: repository,
        version: '1.0.1',
        cacheFrom: [`${repository}:1.0.0`],
        smoke: false,
        runId,
        connection: { kind: 'unix', socketPath: runner.socketPath },
        onProgress: (event) => cachedEvents.push(event),
      });
      const cached = second.build;
      expect(second.pushed).toBe(true);
      expect(cached.builder).toBe('buildkit');
      // Reading that cache and writing inline cache can crash Docker before 23 (moby/buildkit#1609): there the
      // default writes none, and says so.
      const engineVersion = (await engineBuildInfo({ connection: { kind: 'unix', socketPath: runner.socketPath } })).version;
      const notWritten = cachedEvents.filter(
        (event) => event.type === 'info' && event.message.startsWith('Inline cache: not written'),
      );
      expect(notWritten).toHaveLength(Number(engineVersion.split('.')[0]) < 23 ? 1 : 0);
      expect(cachedByPattern(cachedEvents, DEPENDENCY_STEPS)).toEqual(DEPENDENCY_STEPS.map(() => true));
      expect(cachedByPattern(cachedEvents, APP_STEPS)).toEqual(APP_STEPS.map(() => false));
      expect(stepEnds(cachedEvents).every((end) => end.ok)).toBe(true);
      // The image is on the fresh engine, not only described by the stream.
      const image = await inspectImage(`${repository}:1.0.1`, { connection: { kind: 'unix', socketPath: runner.socketPath } });
      expect(image?.id).toBe(cached.imageId);

      // The control: an engine just as empty, without cache-from, runs every step.
      const coldEvents: ProgressEvent[] = [];
      const cold = await buildImage({
        context: edited,
        tags: ['i11a-fresh/app:edited'],
        connection: { kind: 'unix', socketPath: control.socketPath },
        onProgress: (event) => coldEvents.push(event),
      });
      expect(cachedByPattern(coldEvents, DEPENDENCY_STEPS)).toEqual(DEPENDENCY_STEPS.map(() => false));
      expect(cachedByPattern(coldEvents, APP_STEPS)).toEqual(APP_STEPS.map(() => false));
      expect(cold.cachedSteps).toBe(0);
    } finally {
      for (const tag of localTags) await removeImage(tag, { force: true }).catch(() => {});
    }
  });

  test('a second engine left behind by a crashed run is taken down by the next start', async () => {
    // A process that starts an engine and dies without stopping it (SIGKILL: no handler runs).
    const moduleUrl = new URL('scripts/lib/second-engine.mjs', `file://${repoRoot}`).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { startSecondEngine } from ${JSON.stringify(moduleUrl)};
         const engine = await startSecondEngine({ prefix: 'i11a' });
         console.log(JSON.stringify({ root: engine.root, bridge: engine.bridge, pid: engine.pid }));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const leftover = await new Promise<{ root: string; bridge: string; pid: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      child.once('exit', (code) => reject(new Error(`the engine-starting process exited ${code}: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    expect(processesUnder(leftover.root)).toContain(leftover.pid);
    expect(existsSync(`/sys/class/net/${leftover.bridge}`)).toBe(true);

    // Another run's start may sweep it first; either way it must be gone.
    await sweepSecondEngines();
    expectGone(leftover);
  });
});
