import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ShipError } from '../errors.js';
import { normalizeRegistry } from '../image-ref.js';
import { type ProcessRunner, runProcess } from '../process/run-process.js';

/** Credentials for one registry, in the shape the Engine API's `X-Registry-Auth` takes (registry/ uses this type too). */
export type RegistryAuth =
  | { username: string; password: string; serveraddress?: string }
  | { identitytoken: string; serveraddress?: string };

export interface ResolveRegistryAuthOptions {
  /** Explicit credentials win over everything else. */
  auth?: RegistryAuth | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** The docker config directory; default `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string | undefined;
  /** The process seam, for the `docker-credential-*` helpers. */
  runner?: ProcessRunner | undefined;
}

/** The parts of the docker CLI's `config.json` that hold credentials. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The key the docker CLI uses for Docker Hub in `auths` and with helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/**
 * Credentials for `registryHost`, looked up as the docker CLI does: explicit `auth`, else
 * `DOCKER_AUTH_CONFIG` (a config.json as JSON text, as CI systems set it), else the docker config
 * file, where a `credHelpers` entry for the host, else `credsStore`, is asked through its
 * `docker-credential-<name>` helper, and otherwise `auths` is read. Undefined when nothing is
 * configured: the push or pull then goes anonymously.
 */
export async function resolveRegistryAuth(
  registryHost: string,
  options: ResolveRegistryAuthOptions = {},
): Promise<RegistryAuth | undefined> {
  if (options.auth) return options.auth;
  const env = options.env ?? process.env;
  const host = normalizeRegistry(registryHost);
  const runner = options.runner ?? runProcess;

  const inline = env.DOCKER_AUTH_CONFIG?.trim();
  if (inline) {
    const config = parseConfig(inline, 'DOCKER_AUTH_CONFIG');
    const found = await fromConfig(config, host, env, runner, 'DOCKER_AUTH_CONFIG');
    if (found) return found;
  }

  const configDir = options.configDir ?? (env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'));
  const configPath = join(configDir, 'config.json');
  const text = await readFile(configPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ConfigError(
      `Could not read the docker config '${configPath}' (${error.code ?? error.message}); fix its permissions.`,
      {
        file: configPath,
        cause: error,
      },
    );
  });
  if (text === undefined || text.trim() === '') return undefined;
  return fromConfig(parseConfig(text, configPath), host, env, runner, configPath);
}

function parseConfig(text: string, source: string): DockerConfigFile {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as DockerConfigFile;
  } catch {
    // Reported below without the text, which may hold secrets.
  }
  throw new ConfigError(
    `${source} is not valid docker config JSON; it should look like {"auths": {"registry": {"auth": "..."}}}.`,
    {
      file: source,
    },
  );
}

async function fromConfig(
  config: DockerConfigFile,
  host: string,
  env: NodeJS.ProcessEnv,
  runner: ProcessRunner,
  source: string,
): Promise<RegistryAuth | undefined> {
  const helperEntry = Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeRegistry(key) === host);
  const helper = helperEntry?.[1] ?? config.credsStore;
  if (helper) return fromHelper(helper, host, env, runner);
  return fromAuths(config, host, source);
}

function fromAuths(config: DockerConfigFile, host: string, source: string): RegistryAuth | undefined {
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeRegistry(key) === host)?.[1];
  if (!entry) return undefined;
  const serveraddress = host;
  if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new ConfigError(
        `The 'auth' entry for ${host} in ${source} is not base64 of 'username:password'; log in again (ship login ${host}).`,
        { file: source },
      );
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, serveraddress };
  return undefined;
}

/**
 * The credential helper protocol (docker/docker-credential-helpers): `docker-credential-<name> get`
 * with the server URL on stdin answers `{"ServerURL","Username","Secret"}` on stdout, or exits
 * non-zero saying "credentials not found". Username `<token>` means Secret is an identity token.
 */
async function fromHelper(
  helper: string,
  host: string,
  env: NodeJS.ProcessEnv,
  runner: ProcessRunner,
): Promise<RegistryAuth | undefined> {
  const command = `docker-credential-${helper}`;
  const serverUrl = host === 'docker.io' ? DOCKER_HUB_AUTH_KEY : host;
  const result = await runner(command, ['get'], { input: serverUrl, env, timeoutMs: 30_000 });
  if (result.exitCode !== 0) {
    const said = `${result.stdout}\n${result.stderr}`;
    if (/credentials not found/i.test(said)) return undefined;
    const firstLine = said.trim().split('\n')[0]?.slice(0, 200) ?? '';
    throw new ShipError(
      'CREDENTIALS_NOT_FOUND',
      `The credential helper ${command} failed for ${host} (exit code ${result.exitCode}${firstLine ? `: ${firstLine}` : ''}); check that it works with 'echo ${serverUrl} | ${command} get' or log in again.`,
    );
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw new ShipError(
      'CREDENTIALS_NOT_FOUND',
      `The credential helper ${command} answered something that is not JSON for ${host}; update or reinstall it.`,
    );
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '') return undefined;
  if (answer.Username === '<token>') return { identitytoken: answer.Secret, serveraddress: host };
  return { username: typeof answer.Username === 'string' ? answer.Username : '', password: answer.Secret, serveraddress: host };
}
