import { isAbsolute, relative, resolve } from 'node:path';
import { type ConfigReleaseDefaults, InvalidInputError, type release } from '@container-ship/sdk';
import { type Inputs, shouldPush } from './inputs.js';

export type ReleaseOptions = Parameters<typeof release>[0];

/**
 * The one `release(...)` call the action makes: `ship.yaml` (when there is one) gives the
 * defaults, inputs that are set win, and whatever neither says is left to the SDK's defaults.
 */
export function toReleaseOptions(
  inputs: Inputs,
  defaults: ConfigReleaseDefaults,
  o: { eventName: string | undefined; workspace: string },
): ReleaseOptions {
  const images = inputs.images.length > 0 ? inputs.images : (defaults.image ?? []);
  if (images.length === 0) {
    throw new InvalidInputError('Input images is empty; set images: to the image to publish, such as ghcr.io/acme/app.');
  }
  const context = resolve(o.workspace, inputs.context ?? defaults.context ?? '.');
  const options: ReleaseOptions = {
    context,
    image: images,
    push: shouldPush(inputs.push, o.eventName),
    smoke: smokeOptions(inputs, defaults),
    buildArgs: { ...defaults.buildArgs, ...inputs.buildArgs },
    labels: { ...defaults.labels, ...inputs.labels },
  };
  const dockerfile =
    inputs.file === undefined ? defaults.dockerfile : dockerfileInContext(context, resolve(o.workspace, inputs.file));
  if (dockerfile !== undefined) options.dockerfile = dockerfile;
  const tagRules = inputs.tagRules.length > 0 ? inputs.tagRules : defaults.tagRules;
  if (tagRules !== undefined) options.tagRules = tagRules;
  // With neither, the SDK's release takes a pushed version tag (refs/tags/v1.2.3) as the version.
  const version = inputs.tag ?? defaults.version;
  if (version !== undefined) options.version = version;
  const flavor = inputs.flavor.length > 0 ? inputs.flavor : defaults.flavor;
  if (flavor !== undefined) options.flavor = flavor;
  const target = inputs.target ?? defaults.target;
  if (target !== undefined) options.target = target;
  if (defaults.registries !== undefined) options.registries = defaults.registries;
  if (defaults.pull !== undefined) options.pull = defaults.pull;
  if (defaults.noCache !== undefined) options.noCache = defaults.noCache;
  return options;
}

function smokeOptions(inputs: Inputs, defaults: ConfigReleaseDefaults): ReleaseOptions['smoke'] {
  const fromConfig = defaults.smoke;
  const enabled = inputs.smoke.enabled ?? fromConfig !== false;
  if (!enabled) return false;
  const base = fromConfig === false || fromConfig === undefined ? {} : fromConfig;
  const { port, path, expectStatus, expectBody, timeoutMs } = inputs.smoke;
  return {
    ...base,
    ...(port === undefined ? {} : { port }),
    ...(path === undefined ? {} : { path }),
    ...(expectStatus === undefined ? {} : { expectStatus }),
    ...(expectBody === undefined ? {} : { expectBody }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

/** `file` is a path in the workspace (as in docker/build-push-action); the engine wants it inside the context. */
function dockerfileInContext(context: string, file: string): string {
  const inside = relative(context, file);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new InvalidInputError(
      `Input file (${file}) is outside the build context ${context}; move the Dockerfile into the context or widen context.`,
    );
  }
  return inside;
}
