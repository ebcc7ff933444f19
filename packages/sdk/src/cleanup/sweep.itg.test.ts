import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { buildImage } from '../build/build-image.js';
import { createContainer, removeContainer, startContainer } from '../engine/containers.js';
import { inspectImage, removeImage } from '../engine/images.js';
import { runContainer } from '../run/run-container.js';
import { LABELS, newRunId } from './labels.js';
import { listShipContainers } from './list.js';
import { cleanup, processIsAlive, selectLeftovers } from './sweep.js';

// Real engine. Every sweep here is scoped to this file's run ids, so it never touches the
// containers of other tests running at the same time.
const base = loadTestbed().baseImage;
const runIds: string[] = [];
const dirs: string[] = [];
const tags: string[] = [];

function runIdForTest(): string {
  const runId = newRunId();
  runIds.push(runId);
  return runId;
}

/** A pid that surely belongs to no process any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (!child.pid) throw new Error('could not spawn a child process');
  return child.pid;
}

/** A container as a ship process that was killed -9 would have left it (its labels, its state). */
async function crashedRunContainer(runId: string, state: 'running' | 'created'): Promise<string> {
  const id = await createContainer({
    image: base,
    name: uniqueName('ship-itg-crashed'),
    command: ['sleep', '600'],
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.runId]: runId,
      [LABELS.purpose]: 'smoke',
      [LABELS.owner]: `${hostname()}:${deadPid()}`,
    },
  });
  if (state === 'running') await startContainer(id);
  return id;
}

afterAll(async () => {
  for (const runId of runIds) {
    for (const container of await listShipContainers({ runId })) await removeContainer(container.id);
  }
  for (const tag of tags) await removeImage(tag, { force: true }).catch(() => {});
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('cleanup and listShipContainers (real engine)', () => {
  test('a run id takes every container of that run, running or not, and nothing else', async () => {
    const runId = runIdForTest();
    const otherRun = runIdForTest();
    const running = await runContainer({ image: base, command: ['sleep', '600'], runId });
    const exited = await runContainer({ image: base, command: ['true'], runId });
    await exited.wait();
    const other = await runContainer({ image: base, command: ['sleep', '600'], runId: otherRun });

    const listed = await listShipContainers({ runId });
    expect(listed.map((c) => c.name).sort()).toEqual([running.name, exited.name].sort());
    expect(listed.find((c) => c.name === exited.name)?.state).toBe('exited');

    const result = await cleanup({ runId });
    expect(result.containers.sort()).toEqual([running.name, exited.name].sort());
    expect(result.images).toEqual([]);
    expect(await listShipContainers({ runId })).toEqual([]);
    expect((await listShipContainers({ runId: otherRun })).map((c) => c.name)).toEqual([other.name]);
    await other.remove();
  });

  test('leftovers are the containers whose owning process is gone; a live owner’s and a detached one are kept', async () => {
    const runId = runIdForTest();
    const crashedRunning = await crashedRunContainer(runId, 'running');
    const crashedCreated = await crashedRunContainer(runId, 'created');
    await using live = await runContainer({ image: base, command: ['sleep', '600'], runId });
    await using detached = await runContainer({ image: base, command: ['sleep', '600'], runId, detached: true });

    const listed = await listShipContainers({ runId });
    expect(listed.find((c) => c.id === live.id)?.owner).toBe(`${hostname()}:${process.pid}`);
    expect(listed.find((c) => c.id === detached.id)?.owner).toBeUndefined();
    const leftovers = selectLeftovers(listed, { host: hostname(), isAlive: processIsAlive });
    expect(leftovers.map((c) => c.id).sort()).toEqual([crashedRunning, crashedCreated].sort());

    for (const leftover of leftovers) await removeContainer(leftover.id);
    expect((await listShipContainers({ runId })).map((c) => c.id).sort()).toEqual([live.id, detached.id].sort());
  });

  test('images: an untagged image a release of this run built is removed; a tagged one is kept', async () => {
    const runId = runIdForTest();
    const dir = await mkdtemp(join(tmpdir(), 'ship-sweep-fixture-'));
    dirs.push(dir);
    const tag = `${uniqueName('ship-itg-sweep')}:1`;
    tags.push(tag);
    const labels = { [LABELS.managed]: 'true', [LABELS.runId]: runId, [LABELS.purpose]: 'release' };
    await writeFile(join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo first > /version\n`);
    const first = await buildImage({ context: dir, tags: [tag], labels });
    await writeFile(join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo second > /version\n`);
    const second = await buildImage({ context: dir, tags: [tag], labels });
    expect(second.imageId).not.toBe(first.imageId);

    const result = await cleanup({ runId, images: true });
    expect(result).toEqual({ containers: [], images: [first.imageId], skipped: [] });
    expect(await inspectImage(first.imageId)).toBeUndefined();
    expect((await inspectImage(tag))?.id).toBe(second.imageId);
  });
});
