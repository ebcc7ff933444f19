import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, ShipError } from '../errors.js';
import { normalizeRegistry } from '../image-ref.js';
import { type ProcessRunner, runProcess } from '../process/run-process.js';
import type { RegistryAuth } from './credentials.js';

export interface StoreCredentialsOptions {
  registry: string;
  auth: RegistryAuth;
  /** The docker config directory; default `$DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** The process seam for `docker-credential-*` helpers. */
  runner?: ProcessRunner | undefined;
}

export interface StoredCredentials {
  configPath: string;
  /** The credential helper that holds the secret, when one is configured (`desktop`, `pass`, `ecr-login`...). */
  helper?: string;
}

interface DockerConfig {
  auths?: Record<string, Record<string, unknown>>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** The key `docker login` uses: Docker Hub's legacy index URL, else the host as written. */
export function dockerConfigKey(registry: string): string {
  const normalized = normalizeRegistry(registry);
  return normalized === 'docker.io' ? 'https://index.docker.io/v1/' : normalized;
}

/**
 * Stores credentials where `docker login` would, so the engine, the docker CLI and
 * `resolveRegistryAuth` find them: through the `credHelpers` entry for the registry or the
 * `credsStore` (the secret goes to `docker-credential-<x> store` on stdin), else base64 in
 * `config.json`'s `auths`. The file is written whole, then renamed, with mode 0600.
 */
export async function storeCredentials(options: StoreCredentialsOptions): Promise<StoredCredentials> {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? (env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'));
  const configPath = join(configDir, 'config.json');
  const config = await readConfig(configPath);
  const key = dockerConfigKey(options.registry);
  const helper = config.credHelpers?.[key] ?? config.credHelpers?.[normalizeRegistry(options.registry)] ?? config.credsStore;
  const auths = config.auths ?? {};
  if (helper) {
    const [username, secret] =
      'identitytoken' in options.auth ? ['<token>', options.auth.identitytoken] : [options.auth.username, options.auth.password];
    const command = `docker-credential-${helper}`;
    const result = await (options.runner ?? runProcess)(command, ['store'], {
      input: JSON.stringify({ ServerURL: key, Username: username, Secret: secret }),
      env,
    });
    if (result.exitCode !== 0) {
      const said = result.stdout.trim() || result.stderr.trim() || `exit code ${result.exitCode}`;
      throw new ShipError(
        'LOGIN_FAILED',
        `The credential helper ${command} could not store the credentials for ${key} (${said.split('\n')[0]}); check the helper or remove it from ${configPath}.`,
      );
    }
    // docker login leaves an empty entry, so tools listing `auths` see the registry.
    auths[key] = {};
  } else {
    auths[key] =
      'identitytoken' in options.auth
        ? { auth: '', identitytoken: options.auth.identitytoken }
        : { auth: Buffer.from(`${options.auth.username}:${options.auth.password}`, 'utf8').toString('base64') };
  }
  config.auths = auths;
  await mkdir(dirname(configPath), { recursive: true, mode: 0o700 });
  const temporary = `${configPath}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, configPath);
  return { configPath, ...(helper ? { helper } : {}) };
}

async function readConfig(configPath: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(
      `Could not read the docker config ${configPath} (${(error as NodeJS.ErrnoException).code}); fix its permissions.`,
      { file: configPath, cause: error },
    );
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (error) {
    throw new ConfigError(`The docker config ${configPath} is not valid JSON; fix or remove it, then log in again.`, {
      file: configPath,
      cause: error,
    });
  }
}
