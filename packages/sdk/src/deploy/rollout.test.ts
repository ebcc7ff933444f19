import { describe, expect, test } from 'vitest';
import type { ServiceInfo, TaskInfo } from '../engine/swarm.js';
import { planService } from './plan.js';
import { judgeRollout, summarizeService } from './rollout.js';

const v1 = `localhost:5001/app:1@sha256:${'1'.repeat(64)}`;
const v2 = `localhost:5001/app:2@sha256:${'2'.repeat(64)}`;

function service(image: string, replicas: number, update?: ServiceInfo['updateStatus'], previous?: string): ServiceInfo {
  const spec = planService({ service: 'app', image, replicas, port: 5000, publish: 'host' });
  return {
    id: 'svc1',
    name: 'app',
    version: 7,
    spec,
    ...(previous
      ? { previousSpec: planService({ service: 'app', image: previous, replicas, port: 5000, publish: 'host' }) }
      : {}),
    ...(update ? { updateStatus: update } : {}),
    createdAt: '2026-12-07T00:00:00Z',
    updatedAt: '2026-12-07T00:00:01Z',
  };
}

let counter = 0;
function task(image: string, state: string, desiredState = 'running', error = ''): TaskInfo {
  counter += 1;
  return {
    id: `t${counter}`,
    slot: counter,
    state,
    desiredState,
    message: state,
    error,
    image,
    hostPorts: state === 'running' ? [30000 + counter] : [],
    createdAt: `2026-12-07T00:00:${String(counter).padStart(2, '0')}Z`,
    updatedAt: `2026-12-07T00:00:${String(counter).padStart(2, '0')}Z`,
  };
}

const started = { state: 'updating', message: 'update in progress', startedAt: 'T2' };

describe('judgeRollout', () => {
  test.each([
    [
      'a new service with every replica running',
      service(v1, 2),
      [task(v1, 'running'), task(v1, 'running')],
      { image: v1, replicas: 2, rolling: false },
      'done',
    ],
    [
      'a new service still starting',
      service(v1, 2),
      [task(v1, 'running'), task(v1, 'starting')],
      { image: v1, replicas: 2, rolling: false },
      'waiting',
    ],
    [
      'a scale-down whose extra replica still runs',
      service(v1, 1),
      [task(v1, 'running'), task(v1, 'running', 'shutdown')],
      { image: v1, replicas: 1, rolling: false },
      'done',
    ],
    [
      'a rollout whose old update status is still the one shown',
      service(v2, 2, { state: 'completed', message: '', startedAt: 'T1' }),
      [task(v1, 'running'), task(v1, 'running')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'waiting',
    ],
    [
      'a rollout in progress',
      service(v2, 2, started),
      [task(v2, 'running'), task(v1, 'running'), task(v2, 'running', 'running')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'waiting',
    ],
    [
      'a completed rollout',
      service(v2, 2, { state: 'completed', message: 'update completed', startedAt: 'T2' }),
      [task(v2, 'running'), task(v2, 'running'), task(v1, 'shutdown', 'shutdown')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'done',
    ],
    [
      'a rollback the engine started',
      service(v1, 2, {
        state: 'rollback_started',
        message: 'update rolled back due to failure or early termination of task x',
        startedAt: 'T2',
      }),
      [task(v1, 'running'), task(v2, 'failed', 'shutdown', 'task: non-zero exit (1): dockerexec: unhealthy container')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'waiting',
    ],
    [
      'a rollback the engine completed',
      service(v1, 2, { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T2' }),
      [task(v1, 'running'), task(v1, 'running')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'rolled-back',
    ],
    [
      'a paused update',
      service(v2, 2, { state: 'paused', message: 'update paused due to failure', startedAt: 'T2' }),
      [task(v1, 'running'), task(v1, 'running')],
      { image: v2, replicas: 2, rolling: true, previousUpdateStart: 'T1' },
      'failed',
    ],
    [
      'a rollback we asked for, completed',
      service(v1, 2, { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T3' }),
      [task(v1, 'running'), task(v1, 'running')],
      { image: v1, replicas: 2, rolling: true, rollback: true, previousUpdateStart: 'T2' },
      'done',
    ],
    [
      'a new service whose tasks keep failing',
      service(v1, 1),
      [
        task(v1, 'failed', 'shutdown', 'No such image'),
        task(v1, 'rejected', 'shutdown', 'No such image'),
        task(v1, 'failed', 'shutdown'),
      ],
      { image: v1, replicas: 1, rolling: false },
      'failed',
    ],
  ])('%s: %s', (_what, svc, tasks, target, kind) => {
    expect(judgeRollout(svc, tasks, target).kind).toBe(kind);
  });

  test('a rolled-back rollout gives the error of the failed replica as the reason', () => {
    const verdict = judgeRollout(
      service(v1, 1, { state: 'rollback_completed', message: 'rollback completed', startedAt: 'T2' }),
      [task(v1, 'running'), task(v2, 'failed', 'shutdown', 'task: non-zero exit (137): dockerexec: unhealthy container')],
      { image: v2, replicas: 1, rolling: true, previousUpdateStart: 'T1' },
    );
    expect(verdict).toEqual({
      kind: 'rolled-back',
      reason: 'task: non-zero exit (137): dockerexec: unhealthy container',
      image: v1,
    });
  });
});

describe('summarizeService', () => {
  test('desired vs running, the digest of each task, recent errors and what a rollback goes back to', () => {
    const status = summarizeService(service(v2, 2, undefined, v1), [
      task(v2, 'running'),
      task(v2, 'starting'),
      task(v1, 'failed', 'shutdown', 'task: non-zero exit (137)'),
    ]);
    expect(status).toMatchObject({
      service: 'app',
      digest: `sha256:${'2'.repeat(64)}`,
      desired: 2,
      running: 1,
      publish: 'host',
      recentErrors: ['task: non-zero exit (137)'],
      previousImage: v1,
    });
    expect(status.tasks.map((t) => [t.state, t.digest])).toEqual([
      ['running', `sha256:${'2'.repeat(64)}`],
      ['starting', `sha256:${'2'.repeat(64)}`],
      ['failed', `sha256:${'1'.repeat(64)}`],
    ]);
  });
});
