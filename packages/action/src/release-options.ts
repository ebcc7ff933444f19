import { relative, resolve } from 'node:path';
import {
  configDefaults,
  loadShipConfig,
  type ReleaseOverrides,
  type ResolvedReleaseOptions,
  resolveReleaseOptions,
} from '@container-ship/sdk/config';
import { type Inputs, shouldPush } from './inputs.js';

const NO_IMAGE = 'Input images is empty; set images: to the image to publish, such as ghcr.io/acme/app.';

/** The inputs in SDK terms: an empty input is "not given", so ship.yaml decides. Paths are workspace-relative. */
export function inputOverrides(inputs: Inputs, o: { eventName: string | undefined; workspace: string }): ReleaseOverrides {
  const overrides: ReleaseOverrides = {
    buildArgs: inputs.buildArgs,
    labels: inputs.labels,
    smoke: inputs.smoke,
    push: shouldPush(inputs.push, o.eventName),
  };
  if (inputs.images.length > 0) overrides.image = inputs.images;
  if (inputs.context !== undefined) overrides.context = resolve(o.workspace, inputs.context);
  if (inputs.file !== undefined) overrides.dockerfile = resolve(o.workspace, inputs.file);
  if (inputs.target !== undefined) overrides.target = inputs.target;
  // With neither a tag nor rules, the SDK's release takes a pushed version tag (refs/tags/v1.2.3) as the version.
  if (inputs.tag !== undefined) overrides.version = inputs.tag;
  if (inputs.tagRules.length > 0) overrides.tagRules = inputs.tagRules;
  if (inputs.flavor.length > 0) overrides.flavor = inputs.flavor;
  return overrides;
}

/** ship.yaml (the `config` input, else the workspace's) under the inputs, through the SDK's one resolver. */
export async function releaseSettings(
  inputs: Inputs,
  o: { eventName: string | undefined; workspace: string; env?: NodeJS.ProcessEnv },
): Promise<{ options: ResolvedReleaseOptions; lintIgnore: string[] | undefined; configFile: string | undefined }> {
  const loaded = await loadShipConfig({
    cwd: o.workspace,
    ...(inputs.config === undefined ? {} : { path: inputs.config }),
  });
  const config = configDefaults(loaded, o.env === undefined ? {} : { env: o.env });
  const options = resolveReleaseOptions(config, inputOverrides(inputs, o), { cwd: o.workspace, missingImage: NO_IMAGE });
  return { options, lintIgnore: config.lintIgnore, configFile: loaded && relative(o.workspace, loaded.path) };
}
