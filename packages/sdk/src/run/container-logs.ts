import type { EngineOptions } from '../engine/client.js';
import { containerLogs, followContainerLogs, inspectContainer, waitContainer } from '../engine/containers.js';
import { AbortedError, ShipError, throwIfAborted } from '../errors.js';

export interface ContainerLogsOptions extends EngineOptions {
  /** Container name or id. */
  container: string;
  /** Only the last N lines. */
  tail?: number | undefined;
  signal?: AbortSignal | undefined;
}

async function assertContainerExists(options: ContainerLogsOptions): Promise<void> {
  if (!(await inspectContainer(options.container, options))) {
    throw new ShipError('CONTAINER_FAILED', `No container '${options.container}' exists; see ship ps for the names.`);
  }
}

/** The container's output so far, stdout and stderr interleaved as written. */
export async function readContainerLogs(options: ContainerLogsOptions): Promise<string> {
  throwIfAborted(options.signal);
  await assertContainerExists(options);
  return containerLogs(options.container, options);
}

/**
 * Streams the container's output line by line (after its last `tail` lines) until the
 * container stops, then resolves with its exit code; aborting stops following, not the container.
 */
export async function followLogs(
  options: ContainerLogsOptions & { onLine: (line: string) => void },
): Promise<{ exitCode: number }> {
  throwIfAborted(options.signal);
  await assertContainerExists(options);
  const stop = followContainerLogs(options.container, options.onLine, options);
  try {
    return await waitContainer(options.container, options);
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError(undefined, { cause: options.signal.reason });
    throw error;
  } finally {
    stop();
  }
}
