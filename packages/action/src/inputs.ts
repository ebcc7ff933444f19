import * as core from '@actions/core';
import {
  type BuilderChoice,
  type BuildSecret,
  type BuildSsh,
  InvalidInputError,
  isSecretName,
  parseCacheFrom,
  parseCacheTo,
  parseSshSpec,
} from '@container-ship/sdk';

/** `auto` pushes except on pull requests, where a fork's code must not reach the registry. */
export type PushMode = 'auto' | 'true' | 'false';

/** The action's inputs, typed and validated. The only module that calls `core.getInput`. */
export interface Inputs {
  context: string | undefined;
  file: string | undefined;
  images: string[];
  tag: string | undefined;
  tagRules: string[];
  flavor: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  target: string | undefined;
  push: PushMode;
  registry: string | undefined;
  username: string | undefined;
  password: string | undefined;
  smoke: SmokeInputs;
  config: string | undefined;
  githubToken: string | undefined;
  builder: BuilderChoice | undefined;
  /** `secrets` (values, masked) and `secret-files` (paths), as the SDK takes them. */
  secrets: BuildSecret[];
  ssh: BuildSsh[];
  cacheFrom: string[];
  cacheTo: string[];
}

/** Unset fields stay undefined so `ship.yaml` can fill them; defaults are applied in `release-options.ts`. */
export interface SmokeInputs {
  enabled: boolean | undefined;
  port: number | undefined;
  path: string | undefined;
  expectStatus: number | undefined;
  expectBody: string | undefined;
  timeoutMs: number | undefined;
}

/**
 * Reads every input. Secrets are masked first, before anything can be printed, even when a
 * later input turns out to be invalid.
 */
export function getInputs(): Inputs {
  const password = optional(core.getInput('password'));
  const githubToken = optional(core.getInput('github-token'));
  const buildArgs = parseKeyValues('build-args', core.getInput('build-args'));
  const secretInputs = parseKeyValues('secrets', core.getInput('secrets'));
  for (const secret of secretValues({ password, githubToken, buildArgs })) core.setSecret(secret);
  for (const value of Object.values(secretInputs)) if (value !== '') core.setSecret(value);

  const username = optional(core.getInput('username'));
  if (password !== undefined && username === undefined) {
    throw new InvalidInputError(
      'Input password is set but username is not; set username to the registry user the password belongs to.',
    );
  }
  return {
    context: optional(core.getInput('context')),
    file: optional(core.getInput('file')),
    images: parseImageList(core.getInput('images')),
    tag: optional(core.getInput('tag')),
    tagRules: parseLines(core.getInput('tags')),
    flavor: parseLines(core.getInput('flavor')),
    labels: parseKeyValues('labels', core.getInput('labels')),
    buildArgs,
    target: optional(core.getInput('target')),
    push: parsePushMode(core.getInput('push') || 'auto'),
    registry: optional(core.getInput('registry')),
    username,
    password,
    smoke: {
      enabled: ifSet(core.getInput('smoke-test'), (text) => parseBoolean('smoke-test', text)),
      port: ifSet(core.getInput('smoke-port'), parsePort),
      path: ifSet(core.getInput('smoke-path'), parseSmokePath),
      expectStatus: ifSet(core.getInput('smoke-expect-status'), parseStatus),
      expectBody: optional(core.getInput('smoke-expect-body')),
      timeoutMs: ifSet(core.getInput('smoke-timeout'), (text) => parseSeconds('smoke-timeout', text) * 1000),
    },
    config: optional(core.getInput('config')),
    githubToken,
    builder: ifSet(core.getInput('builder'), parseBuilder),
    secrets: [
      ...Object.entries(secretInputs).map(([id, value]) => ({ id, value })),
      ...Object.entries(parseKeyValues('secret-files', core.getInput('secret-files'))).map(([id, src]) => ({ id, src })),
    ],
    ssh: parseLines(core.getInput('ssh')).map(parseSshSpec),
    cacheFrom: parseLines(core.getInput('cache-from')).map(parseCacheFrom),
    cacheTo: parseLines(core.getInput('cache-to')).map(parseCacheTo),
  };
}

function parseBuilder(text: string): BuilderChoice {
  if (text === 'auto' || text === 'buildkit' || text === 'classic') return text;
  throw new InvalidInputError(`Input builder is '${text}'; set it to auto, buildkit or classic.`);
}

/** Every value that must never appear in a log line: build args are masked by the SDK's `isSecretName`, the rule the linter uses. */
export function secretValues(o: {
  password: string | undefined;
  githubToken: string | undefined;
  buildArgs: Record<string, string>;
}): string[] {
  const secrets = [o.password, o.githubToken];
  for (const [name, value] of Object.entries(o.buildArgs)) if (isSecretName(name)) secrets.push(value);
  return secrets.filter((value): value is string => value !== undefined && value !== '');
}

/** `auto` means: push, except for a pull request (whose code may come from a fork). */
export function shouldPush(mode: PushMode, eventName: string | undefined): boolean {
  if (mode === 'auto') return eventName !== 'pull_request' && eventName !== 'pull_request_target';
  return mode === 'true';
}

/** A newline or comma separated list (metadata-action's `images` syntax); `#` starts a comment line. */
export function parseList(text: string): string[] {
  return parseLines(text).flatMap((line) =>
    line
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
}

/**
 * metadata-action's `images` input: names separated by newlines or commas, or one image line per
 * line with attributes (`name=ghcr.io/org/app,enable=false`), which is kept whole for the SDK.
 */
export function parseImageList(text: string): string[] {
  return parseLines(text).flatMap((line) => (/(^|,)\s*"?\s*(name|enable)\s*=/i.test(line) ? [line] : parseList(line)));
}

/** One item per line, for values that may themselves hold commas (`type=semver,pattern=...`). */
export function parseLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** `KEY=value` per line; the value keeps any further `=` and commas. */
export function parseKeyValues(input: string, text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of parseLines(text)) {
    const eq = line.indexOf('=');
    const key = eq === -1 ? '' : line.slice(0, eq).trim();
    if (key === '') {
      throw new InvalidInputError(`Input ${input} needs one KEY=value per line; write the line '${keyOnly(line)}' as KEY=value.`);
    }
    entries[key] = line.slice(eq + 1);
  }
  return entries;
}

/** The part before `=`, so an error never echoes a value that could be a secret. */
function keyOnly(line: string): string {
  return line.split('=')[0] ?? '';
}

export function parsePushMode(text: string): PushMode {
  const mode = text.trim().toLowerCase();
  if (mode === 'auto' || mode === 'true' || mode === 'false') return mode;
  throw new InvalidInputError(
    `Input push must be auto, true or false, not '${text}'; set push: auto to push except on pull requests.`,
  );
}

export function parseBoolean(input: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidInputError(`Input ${input} must be true or false, not '${text}'.`);
}

export function parsePort(text: string): number {
  const port = Number(text.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidInputError(
      `Input smoke-port must be a port number from 1 to 65535, not '${text}'; use the port the app listens on.`,
    );
  }
  return port;
}

export function parseStatus(text: string): number {
  const status = Number(text.trim());
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new InvalidInputError(`Input smoke-expect-status must be an HTTP status from 100 to 599, not '${text}'.`);
  }
  return status;
}

export function parseSmokePath(text: string): string {
  const path = text.trim();
  if (!path.startsWith('/'))
    throw new InvalidInputError(`Input smoke-path must start with '/', not '${text}'; write it as /${path}.`);
  return path;
}

/** A duration in seconds: `30`, `30s`, `2m`. */
export function parseSeconds(input: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : Number.NaN;
  if (!(seconds > 0))
    throw new InvalidInputError(`Input ${input} must be a positive number of seconds such as 30 or 2m, not '${text}'.`);
  return seconds;
}

function ifSet<T>(text: string, parse: (text: string) => T): T | undefined {
  return text.trim() === '' ? undefined : parse(text);
}

function optional(text: string): string | undefined {
  const value = text.trim();
  return value === '' ? undefined : value;
}

/** Where to deploy after a successful push: a Swarm service on the engine DOCKER_HOST points at. */
export interface DeployInputs {
  service: string | undefined;
  replicas: number | undefined;
}

export function getDeployInputs(): DeployInputs {
  const service = optional(core.getInput('deploy-service'));
  const replicas = ifSet(core.getInput('deploy-replicas'), (text) => {
    if (!/^\d+$/.test(text.trim())) {
      throw new InvalidInputError(`Input deploy-replicas is '${text}'; set it to a whole number of replicas, such as 2.`);
    }
    return Number(text.trim());
  });
  if (replicas !== undefined && service === undefined) {
    throw new InvalidInputError(
      'Input deploy-replicas is set but deploy-service is not; set deploy-service to the Swarm service to deploy to.',
    );
  }
  return { service, replicas };
}
