import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import {
  type DeployResult,
  deploy,
  healthFromSmoke,
  kubernetesManifests,
  type ProgressListener,
  type ReleaseOptions,
  type ReleaseResult,
} from '@container-ship/sdk';
import type { DeployInputs } from './inputs.js';

/**
 * After a push: Kubernetes manifests for the pushed digest (written under RUNNER_TEMP, never
 * applied), and with `deploy-service` a Swarm deploy of that digest through DOCKER_HOST.
 */
export async function afterPush(
  result: ReleaseResult,
  options: ReleaseOptions,
  inputs: DeployInputs,
  o: { runId: string; signal: AbortSignal; onProgress: ProgressListener },
): Promise<{ manifests: string | undefined; deployed: DeployResult | undefined }> {
  if (!result.pushed || !result.digest) return { manifests: undefined, deployed: undefined };
  const image = `${result.image}@${result.digest}`;
  const { port, health } = healthFromSmoke(options.smoke);
  const manifests = await core.group('Kubernetes manifests', async () => {
    const plan = await kubernetesManifests({ image, port, health, signal: o.signal });
    for (const warning of plan.warnings) core.warning(warning);
    const file = join(process.env.RUNNER_TEMP || tmpdir(), `container-ship-k8s-${o.runId}.yaml`);
    await writeFile(file, plan.yaml);
    core.info(`Wrote ${plan.manifests.map((m) => m.kind).join(', ')} for ${plan.image} to ${file} (not applied).`);
    return file;
  });
  const service = inputs.service;
  if (service === undefined) return { manifests, deployed: undefined };
  const deployed = await core.group(`Deploy to ${service}`, () =>
    deploy({
      image,
      service,
      replicas: inputs.replicas,
      port,
      health,
      signal: o.signal,
      onProgress: o.onProgress,
    }),
  );
  core.info(`Deployed ${deployed.image} to ${service}: ${deployed.status.running}/${deployed.status.desired} replicas healthy.`);
  return { manifests, deployed };
}
