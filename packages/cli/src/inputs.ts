import { dirname, resolve } from 'node:path';
import { parseCacheFrom, parseCacheTo, parseSecretSpec, parseSshSpec } from '@container-ship/sdk';
import { type ConfigReleaseDefaults, configDefaults, loadShipConfig, type ReleaseOverrides } from '@container-ship/sdk/config';
import type { CliContext } from './context.js';
import type { Flags } from './program.js';

/** The flag groups several commands share, typed from their definitions in program.ts (ship release has them all). */
export type TagFlags = Pick<Flags<'release'>, 'image' | 'tag' | 'rule' | 'flavor'>;
export type BuildFlags = Pick<
  Flags<'release'>,
  | 'file'
  | 'target'
  | 'buildArg'
  | 'label'
  | 'cache'
  | 'pull'
  | 'platform'
  | 'builder'
  | 'secret'
  | 'ssh'
  | 'cacheFrom'
  | 'cacheTo'
>;
export type RegistryTlsFlags = Pick<Flags<'release'>, 'caCert' | 'insecure'>;
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

/** The sentence for a command that needs an image and got none. */
export const NO_IMAGE = 'No image name was given; pass --image NAME (e.g. localhost:5001/team/app) or set image: in ship.yaml.';

/** Tag flags in SDK terms; ship.yaml fills the rest in `resolveReleaseOptions`. */
export function tagOverrides(flags: TagFlags): ReleaseOverrides {
  return { image: flags.image, version: flags.tag, tagRules: flags.rule, flavor: flags.flavor };
}

/** Build flags in SDK terms (`--no-cache` is commander's `cache: false`); a `--secret src=` is relative to the current directory. */
export function buildOverrides(flags: BuildFlags, ctx?: Pick<CliContext, 'path'>): ReleaseOverrides {
  const secrets = flags.secret?.map((spec) => {
    const secret = parseSecretSpec(spec);
    return secret.src === undefined || !ctx ? secret : { ...secret, src: ctx.path(secret.src) };
  });
  return {
    builder: flags.builder,
    secrets,
    ssh: flags.ssh?.map(parseSshSpec),
    cacheFrom: flags.cacheFrom?.map(parseCacheFrom),
    cacheTo: flags.cacheTo?.map(parseCacheTo),
    dockerfile: flags.file,
    target: flags.target,
    platform: flags.platform,
    buildArgs: flags.buildArg,
    labels: flags.label,
    noCache: flags.cache === false ? true : undefined,
    pull: flags.pull,
  };
}

/** `--ca-cert` and `--insecure`: how ship's own registry requests trust the registry. */
/** The TLS options of the SDK's registry calls; `--ca-cert` is relative to the current directory. */
export function registryTls(
  ctx: Pick<CliContext, 'path'>,
  flags: RegistryTlsFlags,
): { caCert?: string | undefined; insecure?: boolean | undefined } {
  return { caCert: flags.caCert === undefined ? undefined : ctx.path(flags.caCert), insecure: flags.insecure };
}
