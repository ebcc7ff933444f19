import { writeFile } from 'node:fs/promises';
import { kubernetesManifests } from '@container-ship/sdk';
import type { CliContext, CommandResult } from '../context.js';
import { configFor } from '../inputs.js';
import type { Flags } from '../program.js';

/** `ship k8s IMAGE[@DIGEST]`: a Deployment, a Service and an HPA as YAML, on stdout or in `-o FILE`. Nothing is applied. */
export async function run(ctx: CliContext, [image = '']: string[], flags: Flags<'k8s'>): Promise<CommandResult> {
  const config = await configFor(ctx, ctx.cwd);
  const smoke = config.smoke === false ? {} : (config.smoke ?? {});
  const env = { ...smoke.env };
  const result = await kubernetesManifests({
    image,
    name: flags.name,
    replicas: flags.replicas,
    autoscale: { min: flags.min, max: flags.max, cpuTargetPercent: flags.cpuTarget },
    port: flags.port ?? smoke.port,
    health: {
      path: flags.path ?? smoke.path,
      expectStatus: flags.expectStatus ?? smoke.expectStatus,
      expectBody: flags.expectBody ?? (typeof smoke.expectBody === 'string' ? smoke.expectBody : undefined),
      startPeriodMs: flags.timeout ?? smoke.timeoutMs,
    },
    readOnlyRootFilesystem: flags.readOnly,
    namespace: flags.namespace,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    authEnv: ctx.env,
    signal: ctx.signal,
    ...ctx.engine,
  });
  for (const warning of result.warnings) ctx.onProgress({ type: 'warning', phase: 'deploy', message: warning });
  const data = {
    image: result.image,
    digest: result.digest,
    ...(flags.output ? { file: ctx.path(flags.output) } : {}),
    kinds: result.manifests.map((manifest) => manifest.kind),
    warnings: result.warnings,
    manifests: result.manifests,
  };
  if (flags.output) {
    await writeFile(ctx.path(flags.output), result.yaml);
    const text = `${ctx.out.green('✔')} wrote ${result.manifests.map((m) => m.kind).join(', ')} to ${flags.output} (not applied: run kubectl apply -f ${flags.output})`;
    return { data, text, quietText: ctx.path(flags.output) };
  }
  return { data, text: result.yaml, quietText: result.yaml };
}
