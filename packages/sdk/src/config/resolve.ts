import { resolve } from 'node:path';
import type { BuildImageOptions } from '../build/build-image.js';
import { InvalidInputError } from '../errors.js';
import type { ReleaseOptions, ReleaseSmokeOptions } from '../release/release.js';
import type { ReleaseRegistry } from '../release/targets.js';
import { imageNames } from '../tags/image-lines.js';
import type { PlanTagsOptions } from '../tags/plan.js';
import type { ConfigReleaseDefaults, ConfigSmokeOptions } from './options.js';

/**
 * What an adapter was told (the CLI's flags, the action's inputs), already parsed into SDK
 * terms, under the same names as ship.yaml's settings. `undefined` means "not given", so
 * ship.yaml decides; an adapter maps its empty values (an empty `images:` input) to undefined.
 * `context` is absolute; `dockerfile` is relative to the context or absolute.
 */
export interface ReleaseOverrides extends Omit<ConfigReleaseDefaults, 'registries' | 'smoke' | 'lintIgnore'> {
  /** Added after ship.yaml's `registries`. */
  registries?: ReleaseRegistry[] | undefined;
  smoke?: SmokeOverrides | undefined;
  /** Default true. ship.yaml has no say: pushing is the caller's decision. */
  push?: boolean | undefined;
}

export interface SmokeOverrides extends ConfigSmokeOptions {
  /** `false` skips the smoke test; `true` runs it even when ship.yaml says `smoke: false`. */
  enabled?: boolean | undefined;
}

/** The release settings: every `ReleaseOptions` field a person or a file can set, none of the run's own. */
export type ResolvedReleaseOptions = Omit<
  ReleaseOptions,
  'image' | 'git' | 'runId' | 'clock' | 'signal' | 'onProgress' | 'connection' | 'docker'
> & {
  /** Empty only when no `missingImage` sentence was given (`ship build` may build untagged). */
  image: string[];
  smoke: ReleaseSmokeOptions | false;
  push: boolean;
};

export interface ResolveReleaseOptionsContext {
  /** The context when neither the override nor ship.yaml names one. */
  cwd: string;
  /** The adapter's sentence for "no image anywhere" (naming its own flag or input); without it an empty list is fine. */
  missingImage?: string | undefined;
}

/*
 * Adding a ship.yaml key: put it in the schema and in `ConfigReleaseDefaults`/`configDefaults`
 * (config/options.ts; `ReleaseOverrides` follows), and in ONE of the lists below (or, if it merges in its own way,
 * in `resolveReleaseOptions`); then give it a row in the parity table
 * (packages/action/test/option-parity.test.ts), which checks the CLI and the action agree on it.
 */

/** Keys where a given override replaces ship.yaml's value as a whole. */
const OVERRIDE_WINS = [
  'target',
  'platform',
  'pull',
  'noCache',
  'version',
  'tagRules',
  'flavor',
  'latest',
  'floating',
  'keepV',
  'builder',
  'secrets',
  'ssh',
  'cacheFrom',
  'cacheTo',
] as const satisfies readonly (keyof ConfigReleaseDefaults & keyof ReleaseOverrides & keyof ResolvedReleaseOptions)[];

/** Keys whose entries merge, the override's winning key by key. */
const MERGED_MAPS = ['buildArgs', 'labels'] as const satisfies readonly (keyof ConfigReleaseDefaults &
  keyof ReleaseOverrides &
  keyof ResolvedReleaseOptions)[];

/**
 * The one place ship.yaml and an adapter's settings become release options: the CLI (`ship
 * release`, `ship build`, `ship tags`) and the action both call it, so they cannot drift. A
 * given override wins; build args and labels merge; registries add up; smoke settings merge
 * field by field. Pure: no file, environment or engine is read here.
 */
export function resolveReleaseOptions(
  config: ConfigReleaseDefaults,
  overrides: ReleaseOverrides,
  context: ResolveReleaseOptionsContext,
): ResolvedReleaseOptions {
  const given = overrides.image ?? config.image ?? [];
  if (given.length === 0 && context.missingImage !== undefined) throw new InvalidInputError(context.missingImage);
  // metadata-action's image lines: `name=ghcr.io/org/app,enable=false` leaves that image out.
  const image = imageNames(given);
  const out: ResolvedReleaseOptions = {
    context: overrides.context ?? config.context ?? context.cwd,
    image,
    smoke: resolveSmoke(config.smoke, overrides.smoke),
    push: overrides.push ?? true,
  };
  // Absolute, so a `--file` relative to the context and an input relative to the workspace compare equal.
  const dockerfile = overrides.dockerfile ?? config.dockerfile;
  if (dockerfile !== undefined) out.dockerfile = resolve(out.context, dockerfile);
  const settings = out as Record<string, unknown>;
  for (const key of OVERRIDE_WINS) {
    const value = overrides[key] ?? config[key];
    if (value !== undefined) settings[key] = value;
  }
  for (const key of MERGED_MAPS) {
    const merged = { ...config[key], ...overrides[key] };
    if (Object.keys(merged).length > 0) settings[key] = merged;
  }
  const registries = [...(config.registries ?? []), ...(overrides.registries ?? [])];
  if (registries.length > 0) out.registries = registries;
  return out;
}

/**
 * `enabled` decides when given. Otherwise ship.yaml's `smoke: false` turns it off, unless a
 * check was given (a port, a path, a status, a body, a timeout): asking for one is asking for a
 * smoke test. The container's `env` merges key by key.
 */
function resolveSmoke(
  config: ConfigSmokeOptions | false | undefined,
  overrides: SmokeOverrides = {},
): ReleaseSmokeOptions | false {
  const { enabled, env, ...checks } = overrides;
  const given = Object.fromEntries(Object.entries(checks).filter(([, value]) => value !== undefined));
  const on = enabled ?? (config !== false || Object.keys(given).length > 0);
  if (!on) return false;
  const base = config === false ? {} : config;
  const mergedEnv = { ...base?.env, ...env };
  return { ...base, ...given, ...(Object.keys(mergedEnv).length > 0 ? { env: mergedEnv } : {}) };
}

/** The tag-planning part of release options, in `planTags` terms (what `ship tags`, `ship build` and `release` plan from). */
export function tagPlanSettings(
  o: Pick<ResolvedReleaseOptions, 'version' | 'tagRules' | 'flavor' | 'latest' | 'floating' | 'keepV'>,
): Pick<PlanTagsOptions, 'version' | 'rules' | 'flavor' | 'latest' | 'floating' | 'keepV'> {
  const out: Pick<PlanTagsOptions, 'version' | 'rules' | 'flavor' | 'latest' | 'floating' | 'keepV'> = {};
  if (o.version !== undefined) out.version = o.version;
  if (o.tagRules !== undefined) out.rules = o.tagRules;
  if (o.flavor !== undefined) out.flavor = o.flavor;
  if (o.latest !== undefined) out.latest = o.latest;
  if (o.floating !== undefined) out.floating = o.floating;
  if (o.keepV !== undefined) out.keepV = o.keepV;
  return out;
}

const BUILD_SETTING_KEYS = [
  'dockerfile',
  'target',
  'platform',
  'buildArgs',
  'noCache',
  'pull',
  'builder',
  'secrets',
  'ssh',
  'cacheFrom',
  'cacheTo',
  'env',
] as const satisfies readonly (keyof ReleaseOptions & keyof BuildImageOptions)[];

type BuildSettingKey = (typeof BUILD_SETTING_KEYS)[number];

/** The build part of release options, in `buildImage` terms, set keys only (what `ship build` and `release` build with). */
export function buildSettings(o: Pick<ReleaseOptions, BuildSettingKey>): Pick<BuildImageOptions, BuildSettingKey> {
  const out: Record<string, unknown> = {};
  for (const key of BUILD_SETTING_KEYS) if (o[key] !== undefined) out[key] = o[key];
  return out as Pick<BuildImageOptions, BuildSettingKey>;
}
