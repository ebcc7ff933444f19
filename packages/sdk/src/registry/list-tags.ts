import { resolveRegistryAuth } from '../auth/registry-auth.js';
import { isShipError } from '../errors.js';
import { type ImageRef, parseImageRef } from '../image-ref.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import type { RegistryAuth } from './credentials.js';

export interface ListTagsOptions extends Omit<RegistryClientOptions, 'auth'> {
  /** Credentials; else looked up as `resolveRegistryAuth` does (`DOCKER_AUTH_CONFIG`, docker config). */
  auth?: RegistryAuth | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  configDir?: string | undefined;
}

/** Runs `work` with a client for the repository's registry (credentials looked up when not given), then closes it. */
export async function withRepositoryClient<T>(
  repoRef: string,
  options: ListTagsOptions,
  work: (client: RegistryClient, repo: ImageRef) => Promise<T>,
): Promise<T> {
  const repo = parseImageRef(repoRef);
  const { env, configDir, ...connection } = options;
  const auth =
    options.auth ??
    // An empty directory name means the default one too.
    (await resolveRegistryAuth(repo.registry, { env, ...(configDir ? { configDir } : {}) }));
  const client = new RegistryClient(repo.registry, { ...connection, auth, phase: options.phase ?? 'pull' });
  try {
    return await work(client, repo);
  } finally {
    await client.close();
  }
}

/** The repository's tags; a repository that does not exist yet has none. */
export async function repositoryTags(client: RegistryClient, repository: string): Promise<string[]> {
  try {
    return await client.listTags(repository);
  } catch (error) {
    if (isShipError(error) && error.code === 'REGISTRY_NAME_UNKNOWN') return [];
    throw error;
  }
}

/**
 * Every tag of a repository (`registry/name`; a tag or digest on it is ignored), in the
 * registry's order. A repository that does not exist yet has no tags: `[]`, not an error.
 */
export async function listTags(repoRef: string, options: ListTagsOptions = {}): Promise<string[]> {
  return withRepositoryClient(repoRef, options, (client, repo) => repositoryTags(client, repo.repository));
}
