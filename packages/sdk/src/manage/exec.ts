import { listShipContainers } from '../cleanup/list.js';
import type { EngineOptions } from '../engine/client.js';
import { type ExecStreams, execInContainer } from '../engine/containers.js';
import { InvalidInputError, ShipError } from '../errors.js';

export interface ExecOptions extends EngineOptions, ExecStreams {
  /** A container ship started: its name or an id prefix (see `ship ps`). */
  container: string;
  command: string[];
}

/**
 * Runs a command inside a running container ship started (like `docker exec`), its output on
 * the given streams; resolves with the command's exit code.
 */
export async function exec(o: ExecOptions): Promise<{ container: string; exitCode: number }> {
  if (o.command.length === 0) throw new InvalidInputError('No command was given; put it after --, e.g. ship exec NAME -- sh.');
  const match = (await listShipContainers(o)).find(
    (c) => c.name === o.container || (o.container.length >= 4 && c.id.startsWith(o.container)),
  );
  if (!match) {
    throw new InvalidInputError(`No container named '${o.container}' was started by ship; see ship ps for the names.`);
  }
  if (match.state !== 'running') {
    throw new ShipError(
      'CONTAINER_FAILED',
      `The container '${match.name}' is ${match.state}, not running; start it again with ship run.`,
    );
  }
  const exitCode = await execInContainer(match.id, o.command, o, o);
  return { container: match.name, exitCode };
}
