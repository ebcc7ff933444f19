import {
  type DeployHealth,
  type DeployOptions,
  type DeployResult,
  deploy,
  healthFromSmoke,
  InvalidInputError,
  type PublishMode,
  type ServiceStatus,
} from '@container-ship/sdk';
import type { ConfigReleaseDefaults } from '@container-ship/sdk/config';
import type { CliContext, CommandResult } from '../context.js';
import { configFor } from '../inputs.js';
import { formatDuration } from '../output/format.js';
import type { Style } from '../output/style.js';
import { renderTable } from '../output/table.js';
import type { Flags } from '../program.js';

function publishMode(value: string | undefined): PublishMode | undefined {
  if (value === undefined || value === 'host' || value === 'dnsrr') return value;
  throw new InvalidInputError(`'${value}' is not a publishing mode; use --publish host or --publish dnsrr.`);
}

/** The flags deployInputs reads: ship deploy's, or ship release's (which has no --name or --no-health). */
type DeployInputFlags = Partial<Pick<Flags<'deploy'>, 'name' | 'health'>> &
  Pick<
    Flags<'deploy'>,
    'replicas' | 'port' | 'hostPort' | 'publish' | 'network' | 'path' | 'expectStatus' | 'expectBody' | 'timeout' | 'env' | 'wait'
  >;

/** Flags over ship.yaml's smoke settings: the same settings the release's smoke test used become the health check. */
export function deployInputs(
  flags: DeployInputFlags,
  config: ConfigReleaseDefaults,
): Omit<DeployOptions, 'image' | 'signal' | 'onProgress' | 'connection' | 'docker'> {
  const fromSmoke = healthFromSmoke(config.smoke);
  const health: DeployHealth | false =
    flags.health === false
      ? false
      : {
          ...fromSmoke.health,
          path: flags.path ?? fromSmoke.health.path,
          expectStatus: flags.expectStatus ?? fromSmoke.health.expectStatus,
          expectBody: flags.expectBody ?? fromSmoke.health.expectBody,
          startPeriodMs: flags.timeout ?? fromSmoke.health.startPeriodMs,
        };
  const env = { ...(config.smoke === false ? {} : config.smoke?.env), ...flags.env };
  return {
    service: flags.name,
    replicas: flags.replicas,
    port: flags.port ?? fromSmoke.port,
    hostPort: flags.hostPort,
    publish: publishMode(flags.publish),
    network: flags.network,
    health,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    timeoutMs: flags.wait,
  };
}

/** `ship deploy IMAGE[@DIGEST]`: create or update a Swarm service pinned to the digest; exit 1 when it was rolled back. */
export async function run(ctx: CliContext, [image = '']: string[], flags: Flags<'deploy'>): Promise<CommandResult> {
  const config = await configFor(ctx, ctx.cwd);
  const result = await deploy({
    image,
    ...deployInputs(flags, config),
    authEnv: ctx.env,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    ...ctx.engine,
  });
  return { data: deployJson(result), text: deploySummary(result, ctx), quietText: result.digest };
}

export function deployJson(result: DeployResult) {
  return {
    service: result.service,
    image: result.image,
    digest: result.digest,
    action: result.action,
    replicas: { desired: result.status.desired, running: result.status.running },
    publish: result.status.publish,
    hostPorts: result.status.hostPorts,
    networks: result.status.networks,
    durationMs: result.durationMs,
  };
}

/** Where the replicas answer: the engine's host (127.0.0.1 for a local socket) and each replica's port. */
export function endpoints(status: ServiceStatus, ctx: Pick<CliContext, 'engine'>): string {
  if (status.publish === 'dnsrr') return `dnsrr: ${status.service}:<port> on its network (from a container on it)`;
  const connection = ctx.engine.connection;
  const host = connection?.kind === 'tcp' ? connection.host : '127.0.0.1';
  return status.hostPorts.map((port) => `http://${host}:${port}/`).join('\n') || '(none yet)';
}

export function deploySummary(result: DeployResult, ctx: Pick<CliContext, 'engine' | 'out'>): string {
  return renderTable({
    rows: [
      ['service', `${result.service} (${result.action})`],
      ['image', result.image],
      ['replicas', `${result.status.running}/${result.status.desired} running`],
      ['endpoints', endpoints(result.status, ctx)],
      ['time', `${formatDuration(result.durationMs)} to all replicas healthy`],
    ],
  });
}

/** The status table and the tasks, for status, scale and rollback. */
export function statusText(status: ServiceStatus, ctx: Pick<CliContext, 'engine'>, style: Style): string {
  const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);
  const head = renderTable({
    rows: [
      ['service', status.service],
      ['image', status.image],
      ['replicas', `${status.running}/${status.desired} running`],
      ['endpoints', endpoints(status, ctx)],
      ...(status.update
        ? [['update', `${status.update.state}${status.update.message ? `: ${status.update.message}` : ''}`]]
        : []),
      ...(status.previousImage && status.previousImage !== status.image ? [['previous', status.previousImage]] : []),
      ...(status.recentErrors.length > 0 ? [['errors', status.recentErrors.join('\n')]] : []),
    ],
  });
  const tasks = renderTable(
    {
      head: ['SLOT', 'STATE', 'DESIRED', 'DIGEST', 'PORTS', 'ERROR'],
      rows: status.tasks.map((task) => [
        String(task.slot),
        task.state === 'running' ? style.green(task.state) : task.state === 'failed' ? style.red(task.state) : task.state,
        task.desiredState,
        short(task.digest),
        task.hostPorts.join(',') || '-',
        task.error ?? '',
      ]),
    },
    { head: style.bold },
  );
  return `${head.trimEnd()}\n\n${tasks}`;
}
