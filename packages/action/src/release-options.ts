import { relative, resolve } from 'node:path';
import {
  configDefaults,
  loadShipConfig,
  type ReleaseOverrides,
  type ResolvedReleaseOptions,
  resolveReleaseOptions,
} from '@container-ship/sdk/config';
import { type GitContext, sanitizeTag } from '@container-ship/sdk/tags';
import { type Inputs, shouldPush } from './inputs.js';

const NO_IMAGE = 'Input images is empty; set images: to the image to publish, such as ghcr.io/acme/app.';

/** The inputs in SDK terms: an empty input is "not given", so ship.yaml decides. Paths are workspace-relative. */
export function inputOverrides(inputs: Inputs, o: { eventName: string | undefined; workspace: string }): ReleaseOverrides {
  const overrides: ReleaseOverrides = {
    buildArgs: inputs.buildArgs,
    labels: inputs.labels,
    smoke: inputs.smoke,
    push: shouldPush(inputs.push, o.eventName),
    target: inputs.target,
    // With neither a tag nor rules, the SDK's release takes a pushed version tag (refs/tags/v1.2.3) as the version.
    version: inputs.tag,
    builder: inputs.builder,
  };
  if (inputs.images.length > 0) overrides.image = inputs.images;
  if (inputs.context !== undefined) overrides.context = resolve(o.workspace, inputs.context);
  if (inputs.file !== undefined) overrides.dockerfile = resolve(o.workspace, inputs.file);
  if (inputs.tagRules.length > 0) overrides.tagRules = inputs.tagRules;
  if (inputs.flavor.length > 0) overrides.flavor = inputs.flavor;
  if (inputs.secrets.length > 0) {
    overrides.secrets = inputs.secrets.map((s) => (s.src === undefined ? s : { ...s, src: resolve(o.workspace, s.src) }));
  }
  if (inputs.ssh.length > 0) overrides.ssh = inputs.ssh;
  if (inputs.cacheFrom.length > 0) overrides.cacheFrom = inputs.cacheFrom;
  if (inputs.cacheTo.length > 0) overrides.cacheTo = inputs.cacheTo;
  return overrides;
}

/**
 * Pure: where a fresh runner finds earlier layers when nobody said: each image's branch tag, then
 * `latest` (build-push-action users write this by hand). Only images pushed with inline cache
 * (`cache-to: inline`) carry BuildKit cache metadata; a tag that does not exist is skipped by the engine.
 */
export function defaultCacheFrom(images: string[], git: Pick<Partial<GitContext>, 'branch'>): string[] {
  const refs: string[] = [];
  for (const image of images) {
    if (git.branch) refs.push(`${image}:${sanitizeTag(git.branch)}`);
    refs.push(`${image}:latest`);
  }
  return [...new Set(refs)];
}

/** ship.yaml (the `config` input, else the workspace's) under the inputs, through the SDK's one resolver. */
export async function releaseSettings(
  inputs: Inputs,
  o: { eventName: string | undefined; workspace: string; env?: NodeJS.ProcessEnv },
): Promise<{ options: ResolvedReleaseOptions; lintIgnore: string[] | undefined; configFile: string | undefined }> {
  const loaded = await loadShipConfig({ cwd: o.workspace, path: inputs.config });
  const config = configDefaults(loaded, { env: o.env });
  const options = resolveReleaseOptions(config, inputOverrides(inputs, o), { cwd: o.workspace, missingImage: NO_IMAGE });
  return { options, lintIgnore: config.lintIgnore, configFile: loaded && relative(o.workspace, loaded.path) };
}
