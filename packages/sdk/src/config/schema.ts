import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * The schema of `ship.yaml` / `ship.config.json`: what a local `ship release` and the action
 * both read, so a laptop and CI do the same thing. Secrets never live here: a registry names
 * the environment variables that hold its credentials (`passwordEnv: REGISTRY_PASSWORD`).
 */

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration; write it like 30s, 500ms or 2m` });
    return z.NEVER;
  }
  return ms;
});

/** Build args, labels and env: scalar values, kept as strings. */
const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, like REGISTRY_PASSWORD');

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const registrySchema = z
  .strictObject({
    /** A registry host (`ghcr.io`); the image keeps its repository path there. */
    registry: nonEmpty.optional(),
    /** A full image name in that registry (`ghcr.io/acme/app`). */
    image: nonEmpty.optional(),
    /** A literal user name (not a secret), or the variable that holds it. */
    username: nonEmpty.optional(),
    usernameEnv: envName.optional(),
    /** The variable that holds the password or access token. */
    passwordEnv: envName.optional(),
    /** The variable that holds an identity (refresh) token, e.g. for ACR. */
    identityTokenEnv: envName.optional(),
  })
  .refine((r) => r.registry !== undefined || r.image !== undefined, {
    message: 'needs a registry or an image; add registry: HOST or image: HOST/NAME',
  })
  .refine((r) => !(r.username !== undefined && r.usernameEnv !== undefined), {
    message: 'has both username and usernameEnv; keep one',
  });

export const smokeSchema = z.strictObject({
  port: z.number().int().min(1).max(65_535).optional(),
  path: z.string().startsWith('/', 'must start with /').optional(),
  expectStatus: z.number().int().min(100).max(599).optional(),
  expectBody: z.string().optional(),
  timeout: duration.optional(),
  env: stringMap.optional(),
});

export const tagsSchema = z.strictObject({
  /** The version shortcut (`v1.1`), usually given on the command line instead. */
  version: nonEmpty.optional(),
  /** docker/metadata-action tag rules, e.g. `type=semver,pattern={{version}}`. */
  rules: z.array(nonEmpty).optional(),
  /** metadata-action flavor lines, e.g. `latest=false`. */
  flavor: z.array(nonEmpty).optional(),
  latest: z.boolean().optional(),
  floating: z.boolean().optional(),
  keepV: z.boolean().optional(),
});

export const buildSchema = z.strictObject({
  /** `auto` (default): BuildKit on a Docker engine that has it, else the classic builder. */
  builder: z.enum(['auto', 'buildkit', 'classic']).optional(),
  /** `id=NAME,env=VAR` or `id=NAME,src=FILE` (never the value itself). */
  secrets: z.array(nonEmpty).optional(),
  /** `default` or `ID=SOCKET`. */
  ssh: z.array(nonEmpty).optional(),
  cacheFrom: z.array(nonEmpty).optional(),
  /** `inline` (the only export this engine's BuildKit has) or `none`; a release writes inline cache by default. */
  cacheTo: z.array(nonEmpty).optional(),
});

export const shipConfigSchema = z.strictObject({
  image: z.union([nonEmpty, z.array(nonEmpty).min(1, 'must list at least one image')]).optional(),
  context: nonEmpty.optional(),
  dockerfile: nonEmpty.optional(),
  target: nonEmpty.optional(),
  platform: nonEmpty.optional(),
  buildArgs: stringMap.optional(),
  labels: stringMap.optional(),
  pull: z.boolean().optional(),
  noCache: z.boolean().optional(),
  build: buildSchema.optional(),
  registries: z.array(registrySchema).optional(),
  /** `false` turns the smoke test off. */
  smoke: z.union([z.literal(false), smokeSchema]).optional(),
  tags: tagsSchema.optional(),
  lint: z.strictObject({ ignore: z.array(nonEmpty).optional() }).optional(),
});

export type ShipConfig = z.output<typeof shipConfigSchema>;
export type ShipConfigRegistry = z.output<typeof registrySchema>;
export type ShipConfigSmoke = z.output<typeof smokeSchema>;

/** Keys that would put a secret in the file, and what to write instead. */
export const SECRET_KEYS: Record<string, string> = {
  password: 'passwordEnv',
  token: 'passwordEnv',
  secret: 'passwordEnv',
  identityToken: 'identityTokenEnv',
  identitytoken: 'identityTokenEnv',
  auth: 'passwordEnv',
};
