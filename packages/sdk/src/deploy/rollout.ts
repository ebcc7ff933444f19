import type { ServiceInfo, TaskInfo } from '../engine/swarm.js';
import { type PublishMode, specImage } from './plan.js';

/**
 * Pure readings of a service and its tasks: the status `ship status` prints, and the verdict
 * a deploy, scale or rollback waits for. Tested with recorded engine states.
 */

export interface ServiceTask {
  id: string;
  slot: number;
  state: string;
  desiredState: string;
  /** The digest of the image the task runs (`sha256:...`), or its reference when unpinned. */
  digest: string;
  error?: string;
  hostPorts: number[];
  updatedAt: string;
}

export interface ServiceStatus {
  service: string;
  id: string;
  /** The image the service's spec names now. */
  image: string;
  digest?: string;
  desired: number;
  /** Tasks that should run and do. */
  running: number;
  publish: PublishMode;
  /** Host ports of the running replicas (`host` mode). */
  hostPorts: number[];
  networks: string[];
  /** The last rolling update: `updating`, `completed`, `rollback_completed`, ... and what the engine said. */
  update?: { state: string; message: string };
  /** Newest first: tasks that should run, then the most recent others. */
  tasks: ServiceTask[];
  /** The errors of recently failed tasks, newest first (deduplicated). */
  recentErrors: string[];
  /** The image a rollback would go back to. */
  previousImage?: string;
}

const RECENT = 10;
const FAILED = new Set(['failed', 'rejected']);

function digestOf(image: string): string {
  return /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ?? image;
}

function isRunning(task: TaskInfo): boolean {
  return task.desiredState === 'running' && task.state === 'running';
}

export function summarizeService(service: ServiceInfo, tasks: TaskInfo[]): ServiceStatus {
  const { image, digest } = specImage(service.spec);
  const active = tasks.filter((task) => task.desiredState === 'running');
  const others = tasks.filter((task) => task.desiredState !== 'running').slice(0, RECENT);
  const running = active.filter(isRunning);
  const errors = [
    ...new Set(tasks.filter((task) => FAILED.has(task.state) || task.error).flatMap((task) => (task.error ? [task.error] : []))),
  ].slice(0, 5);
  return {
    service: service.name,
    id: service.id,
    image,
    ...(digest ? { digest } : {}),
    desired: service.spec.Mode.Replicated?.Replicas ?? 0,
    running: running.length,
    publish: service.spec.EndpointSpec?.Mode === 'dnsrr' ? 'dnsrr' : 'host',
    hostPorts: running.flatMap((task) => task.hostPorts).sort((a, b) => a - b),
    networks: (service.spec.TaskTemplate.Networks ?? []).map((network) => network.Target),
    ...(service.updateStatus ? { update: { state: service.updateStatus.state, message: service.updateStatus.message } } : {}),
    tasks: [...active, ...others].map((task) => ({
      id: task.id,
      slot: task.slot,
      state: task.state,
      desiredState: task.desiredState,
      digest: digestOf(task.image),
      ...(task.error ? { error: task.error } : {}),
      hostPorts: task.hostPorts,
      updatedAt: task.updatedAt,
    })),
    recentErrors: errors,
    ...(service.previousSpec ? { previousImage: specImage(service.previousSpec).image } : {}),
  };
}

export interface RolloutTarget {
  /** The image every replica must run. */
  image: string;
  replicas: number;
  /** The task template changed, so the engine runs a rolling update that must complete. */
  rolling: boolean;
  /** `startedAt` of the update status before ours: a status with the same start is an old one. */
  previousUpdateStart?: string | undefined;
  /** A rollback we asked for: its `rollback_completed` is success. */
  rollback?: boolean;
}

export type RolloutVerdict =
  | { kind: 'waiting'; running: number }
  | { kind: 'done'; running: number }
  | { kind: 'rolled-back'; reason: string; image: string }
  | { kind: 'failed'; reason: string };

/** Failed tasks of the new image before a deploy without a rollback to fall back on gives up. */
const FAILURES_BEFORE_GIVING_UP = 3;

/** Where a rollout stands, from one look at the service and its tasks. */
export function judgeRollout(service: ServiceInfo, tasks: TaskInfo[], target: RolloutTarget): RolloutVerdict {
  const running = tasks.filter(isRunning);
  const converged =
    running.length === target.replicas &&
    running.every((task) => task.image === target.image) &&
    tasks.filter((task) => task.desiredState === 'running').length === target.replicas;
  const status = service.updateStatus;
  const fresh = status !== undefined && status.startedAt !== target.previousUpdateStart;
  if (target.rollback) {
    if (fresh && status.state === 'rollback_completed' && converged) return { kind: 'done', running: running.length };
    if (fresh && status.state === 'rollback_paused') return { kind: 'failed', reason: status.message || 'the rollback paused' };
    return { kind: 'waiting', running: running.length };
  }
  if (fresh && (status.state === 'rollback_started' || status.state === 'rollback_completed')) {
    if (status.state === 'rollback_started') return { kind: 'waiting', running: running.length };
    // The new replicas' own error says more than the engine's "rollback completed".
    const failed = tasks.find((task) => task.image === target.image && task.error);
    return { kind: 'rolled-back', reason: failed?.error ?? status.message, image: specImage(service.spec).image };
  }
  if (fresh && (status.state === 'paused' || status.state === 'rollback_paused')) {
    return { kind: 'failed', reason: status.message || `the update ${status.state.replace('_', ' ')}` };
  }
  if (!target.rolling || (fresh && status.state === 'completed')) {
    if (converged) return { kind: 'done', running: running.length };
  }
  const failures = tasks.filter((task) => task.image === target.image && FAILED.has(task.state));
  if (!target.rolling && failures.length >= FAILURES_BEFORE_GIVING_UP) {
    const reason = failures[0]?.error || failures[0]?.message || 'its tasks keep failing';
    return { kind: 'failed', reason };
  }
  return { kind: 'waiting', running: running.length };
}
