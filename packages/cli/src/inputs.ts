import { dirname, resolve } from 'node:path';
import { type ConfigReleaseDefaults, configDefaults, InvalidInputError, loadShipConfig } from '@container-ship/sdk';
import type { CliContext } from './context.js';

/** The flags several commands share, as commander hands them over. */
export interface TagFlags {
  image?: string[];
  tag?: string;
  rule?: string[];
  flavor?: string[];
}

export interface BuildFlags {
  file?: string;
  target?: string;
  buildArg?: Record<string, string>;
  label?: Record<string, string>;
  /** commander's `--no-cache`: false when given. */
  cache?: boolean;
  pull?: boolean;
  platform?: string;
}

/**
 * The config file (`--config PATH`, else the first ship.yaml / ship.config.json found in
 * `dirs`: the context, then the Dockerfile's directory) as SDK option defaults; flags go on
 * top. Loaded here, in the commands' chunks, so zod and yaml stay out of `--help`.
 */
export async function configFor(ctx: CliContext, ...dirs: string[]): Promise<ConfigReleaseDefaults> {
  if (ctx.globals.config !== undefined) {
    return configDefaults(await loadShipConfig({ cwd: ctx.cwd, path: ctx.globals.config }), { env: ctx.env });
  }
  for (const dir of new Set(dirs)) {
    const loaded = await loadShipConfig({ cwd: dir, displayFrom: ctx.cwd });
    if (loaded) return configDefaults(loaded, { env: ctx.env });
  }
  return {};
}

/** Where a build's config may live: the context, and the directory of a `--file` Dockerfile. */
export function configDirs(contextDir: string, file: string | undefined): string[] {
  return file === undefined ? [contextDir] : [contextDir, dirname(resolve(contextDir, file))];
}

export function imagesFrom(flags: TagFlags, config: ConfigReleaseDefaults, required: true): string[];
export function imagesFrom(flags: TagFlags, config: ConfigReleaseDefaults, required: false): string[] | undefined;
export function imagesFrom(flags: TagFlags, config: ConfigReleaseDefaults, required: boolean): string[] | undefined {
  const images = flags.image ?? config.image;
  if (required && (images === undefined || images.length === 0)) {
    throw new InvalidInputError(
      'No image name was given; pass --image NAME (e.g. localhost:5001/team/app) or set image: in ship.yaml.',
    );
  }
  return images;
}

/** Tag planning inputs: flags win over the config file, each one as a whole. */
export function tagInputs(flags: TagFlags, config: ConfigReleaseDefaults) {
  return {
    ...defined('version', flags.tag ?? config.version),
    ...defined('rules', flags.rule ?? config.tagRules),
    ...defined('flavor', flags.flavor ?? config.flavor),
    ...defined('latest', config.latest),
    ...defined('floating', config.floating),
    ...defined('keepV', config.keepV),
  };
}

/** Build inputs: flags win; build args and labels merge key by key. */
export function buildInputs(flags: BuildFlags, config: ConfigReleaseDefaults) {
  const buildArgs = { ...config.buildArgs, ...flags.buildArg };
  const labels = { ...config.labels, ...flags.label };
  return {
    ...defined('dockerfile', flags.file ?? config.dockerfile),
    ...defined('target', flags.target ?? config.target),
    ...defined('platform', flags.platform ?? config.platform),
    ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...defined('noCache', flags.cache === false ? true : config.noCache),
    ...defined('pull', flags.pull ?? config.pull),
  };
}

/** `--ca-cert` and `--insecure`: how ship's own registry requests trust the registry. */
export interface RegistryTlsFlags {
  caCert?: string;
  insecure?: boolean;
}

/** The TLS options of the SDK's registry calls; `--ca-cert` is relative to the current directory. */
export function registryTls(ctx: Pick<CliContext, 'path'>, flags: RegistryTlsFlags): { caCert?: string; insecure?: boolean } {
  return {
    ...(flags.caCert !== undefined ? { caCert: ctx.path(flags.caCert) } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  };
}

/** `{ key: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreading). */
export function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
