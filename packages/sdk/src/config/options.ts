import { isAbsolute, resolve } from 'node:path';
import {
  type BuildSecret,
  type BuildSsh,
  parseCacheFrom,
  parseCacheTo,
  parseSecretSpec,
  parseSshSpec,
} from '../build/build-options.js';
import type { BuilderChoice } from '../engine/images.js';
import { ConfigError } from '../errors.js';
import type { LoadedShipConfig } from './load.js';
import type { ShipConfigRegistry, ShipConfigSmoke } from './schema.js';

/** Credentials as the engine and registries take them (the same shape as the SDK's RegistryAuth). */
export type ConfigRegistryAuth =
  | { username: string; password: string; serveraddress?: string }
  | { identitytoken: string; serveraddress?: string };

export interface ConfigRegistryTarget {
  registry?: string | undefined;
  image?: string | undefined;
  auth?: ConfigRegistryAuth | undefined;
}

export interface ConfigSmokeOptions {
  port?: number | undefined;
  path?: string | undefined;
  expectStatus?: number | undefined;
  expectBody?: string | undefined;
  timeoutMs?: number | undefined;
  env?: Record<string, string> | undefined;
}

/**
 * What a config file says about a release, as SDK options: paths resolved against the file's
 * directory, credentials read from the environment variables the file names. Adapters (the
 * CLI's flags, the action's inputs) spread their own values over this.
 */
export interface ConfigReleaseDefaults {
  image?: string[] | undefined;
  context?: string | undefined;
  dockerfile?: string | undefined;
  target?: string | undefined;
  platform?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  labels?: Record<string, string> | undefined;
  pull?: boolean | undefined;
  noCache?: boolean | undefined;
  builder?: BuilderChoice | undefined;
  secrets?: BuildSecret[] | undefined;
  ssh?: BuildSsh[] | undefined;
  cacheFrom?: string[] | undefined;
  cacheTo?: string[] | undefined;
  registries?: ConfigRegistryTarget[] | undefined;
  smoke?: ConfigSmokeOptions | false | undefined;
  version?: string | undefined;
  tagRules?: string[] | undefined;
  flavor?: string[] | undefined;
  latest?: boolean | undefined;
  floating?: boolean | undefined;
  keepV?: boolean | undefined;
  lintIgnore?: string[] | undefined;
}

export function configDefaults(
  loaded: LoadedShipConfig | undefined,
  options: { env?: NodeJS.ProcessEnv | undefined } = {},
): ConfigReleaseDefaults {
  if (!loaded) return {};
  const { config, dir } = loaded;
  const env = options.env ?? process.env;
  const out: ConfigReleaseDefaults = {};
  if (config.image !== undefined) out.image = typeof config.image === 'string' ? [config.image] : config.image;
  if (config.context !== undefined) out.context = resolveFrom(dir, config.context);
  // Every path in the file is relative to the file (not `dockerfile:` to the context), so moving the context moves nothing else.
  if (config.dockerfile !== undefined) out.dockerfile = resolveFrom(dir, config.dockerfile);
  if (config.target !== undefined) out.target = config.target;
  if (config.platform !== undefined) out.platform = config.platform;
  if (config.buildArgs !== undefined) out.buildArgs = config.buildArgs;
  if (config.labels !== undefined) out.labels = config.labels;
  if (config.pull !== undefined) out.pull = config.pull;
  if (config.noCache !== undefined) out.noCache = config.noCache;
  const build = config.build;
  if (build?.builder !== undefined) out.builder = build.builder;
  if (build?.secrets !== undefined) {
    out.secrets = build.secrets.map((spec) => {
      const secret = parseSecretSpec(spec);
      return secret.src === undefined ? secret : { ...secret, src: resolveFrom(dir, secret.src) };
    });
  }
  if (build?.ssh !== undefined) {
    out.ssh = build.ssh.map((spec) => {
      const ssh = parseSshSpec(spec);
      // `~/` is left for the build to expand with the HOME it runs under.
      return ssh.paths === undefined
        ? ssh
        : { ...ssh, paths: ssh.paths.map((path) => (path.startsWith('~/') ? path : resolveFrom(dir, path))) };
    });
  }
  if (build?.cacheFrom !== undefined) out.cacheFrom = build.cacheFrom.map(parseCacheFrom);
  if (build?.cacheTo !== undefined) out.cacheTo = build.cacheTo.map(parseCacheTo);
  if (config.registries !== undefined) {
    out.registries = config.registries.map((registry, index) => registryTarget(registry, index, env, loaded.displayPath));
  }
  if (config.smoke !== undefined) out.smoke = config.smoke === false ? false : smokeOptions(config.smoke);
  const tags = config.tags;
  if (tags?.version !== undefined) out.version = tags.version;
  if (tags?.rules !== undefined) out.tagRules = tags.rules;
  if (tags?.flavor !== undefined) out.flavor = tags.flavor;
  if (tags?.latest !== undefined) out.latest = tags.latest;
  if (tags?.floating !== undefined) out.floating = tags.floating;
  if (tags?.keepV !== undefined) out.keepV = tags.keepV;
  if (config.lint?.ignore !== undefined) out.lintIgnore = config.lint.ignore;
  return out;
}

function resolveFrom(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}

function smokeOptions(smoke: ShipConfigSmoke): ConfigSmokeOptions {
  const out: ConfigSmokeOptions = {};
  if (smoke.port !== undefined) out.port = smoke.port;
  if (smoke.path !== undefined) out.path = smoke.path;
  if (smoke.expectStatus !== undefined) out.expectStatus = smoke.expectStatus;
  if (smoke.expectBody !== undefined) out.expectBody = smoke.expectBody;
  if (smoke.timeout !== undefined) out.timeoutMs = smoke.timeout;
  if (smoke.env !== undefined) out.env = smoke.env;
  return out;
}

/** One registry entry with its credentials read from the variables it names. */
export function registryTarget(
  registry: ShipConfigRegistry,
  index: number,
  env: NodeJS.ProcessEnv,
  file = 'ship.yaml',
): ConfigRegistryTarget {
  const target: ConfigRegistryTarget = {};
  if (registry.registry !== undefined) target.registry = registry.registry;
  if (registry.image !== undefined) target.image = registry.image;
  const read = (key: 'usernameEnv' | 'passwordEnv' | 'identityTokenEnv'): string | undefined => {
    const name = registry[key];
    if (name === undefined) return undefined;
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `registries[${index}].${key} in ${file} names ${name}, which is not set; export ${name} before running ship.`,
        {
          file,
        },
      );
    }
    return value;
  };
  const identitytoken = read('identityTokenEnv');
  if (identitytoken !== undefined) {
    target.auth = { identitytoken };
    return target;
  }
  const username = registry.username ?? read('usernameEnv');
  const password = read('passwordEnv');
  if (username !== undefined && password !== undefined) target.auth = { username, password };
  else if (password !== undefined) {
    throw new ConfigError(
      `registries[${index}] in ${file} has passwordEnv but no user name; add username: NAME or usernameEnv: VARIABLE.`,
      {
        file,
      },
    );
  }
  return target;
}
